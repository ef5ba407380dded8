package io.workdisk.agent.engine.files;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Sizes;
import io.workdisk.api.DiskLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Size rules shared by every step: the smallest disk workdisk makes, and room on the host filesystem.
 * A disk must fit in the free space when it is made, even when sparse, so that a guest that fills it
 * does not find the host full at that moment; spreading disks over nodes is the operator's business.
 */
public final class SpaceCheck {
    /**
     * The operator's bounds, from the API module's plain-Java contract (no Kubernetes types, so the engine
     * still knows nothing of Kubernetes): an engine bound of its own could drift from what the operator
     * accepts, and a disk the operator placed would then fail on the node.
     */
    public static final long MIN_DISK_BYTES = DiskLimits.MIN_BYTES;

    public static final long LIMIT_DISK_BYTES = DiskLimits.LIMIT_BYTES;

    private SpaceCheck() {}

    public static void checkDiskSize(long sizeBytes) throws EngineException {
        if (sizeBytes < MIN_DISK_BYTES) {
            throw new EngineException(
                    Problem.INVALID_SIZE,
                    "size " + sizeBytes + " bytes is below the minimum disk size of " + DiskLimits.MIN_QUANTITY + " ("
                            + MIN_DISK_BYTES + " bytes)");
        }
        if (sizeBytes >= LIMIT_DISK_BYTES) {
            throw new EngineException(
                    Problem.INVALID_SIZE,
                    "size " + exactly(sizeBytes) + " is too large: a disk must be smaller than "
                            + DiskLimits.LIMIT_QUANTITY + ", the largest file an ext4 data root can hold");
        }
    }

    /** A size in its unit when that is exact ("16Ti"), else in bytes too, so a limit is never blurred. */
    private static String exactly(long bytes) {
        String human = Sizes.human(bytes);
        return human.contains(".") ? human + " (" + bytes + " bytes)" : human;
    }

    public static void requireFree(Path directory, long bytes, String what) throws EngineException {
        long usable = usable(directory);
        if (bytes > usable) {
            throw new EngineException(
                    Problem.INSUFFICIENT_SPACE,
                    "not enough space: " + what + " needs " + Sizes.human(bytes) + " but "
                            + ConfinedRoot.quoted(directory) + " has only " + Sizes.human(usable) + " free");
        }
    }

    public static long usable(Path directory) throws EngineException {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR, "cannot read free space of " + ConfinedRoot.quoted(directory), e);
        }
    }
}

package io.workdisk.agent.engine;

import io.workdisk.agent.engine.files.DataRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Size rules shared by every step: the smallest disk workdisk makes, and room on the host filesystem.
 * A disk must fit in the free space when it is made, even when sparse, so that a guest that fills it
 * does not find the host full at that moment; spreading disks over nodes is the operator's business.
 */
public final class SpaceCheck {
    /** Below this an ext4 work disk is mostly journal and metadata. */
    public static final long MIN_DISK_BYTES = 64L << 20;
    /** ext4, the usual data root, holds files of fewer than 2^32 blocks of 4 KiB: a disk must be smaller. */
    public static final long LIMIT_DISK_BYTES = 16L << 40;

    private SpaceCheck() {
    }

    public static void checkDiskSize(long sizeBytes) throws EngineException {
        if (sizeBytes < MIN_DISK_BYTES) {
            throw new EngineException(Problem.INVALID_SIZE,
                    "size " + sizeBytes + " bytes is below the minimum disk size of 64Mi (" + MIN_DISK_BYTES + " bytes)");
        }
        if (sizeBytes >= LIMIT_DISK_BYTES) {
            throw new EngineException(Problem.INVALID_SIZE, "size " + sizeBytes
                    + " bytes is not below the maximum disk size of 16Ti (the largest file an ext4 data root can hold)");
        }
    }

    public static void requireFree(Path directory, long bytes, String what) throws EngineException {
        long usable = usable(directory);
        if (bytes > usable) {
            throw new EngineException(Problem.INSUFFICIENT_SPACE, what + " needs " + Sizes.human(bytes) + " but "
                    + DataRoot.quoted(directory) + " has only " + Sizes.human(usable) + " free");
        }
    }

    public static long usable(Path directory) throws EngineException {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            throw new EngineException(Problem.IO_ERROR, "cannot read free space of " + DataRoot.quoted(directory), e);
        }
    }
}

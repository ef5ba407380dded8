package io.workdisk.agent.engine.inspect;

import io.workdisk.agent.engine.ext4.Ext4FormatException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Superblock;
import io.workdisk.agent.engine.ext4.UnsupportedFeatureException;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.Ownership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reads a disk's facts from its file and superblock, and maps unreadable images to clear errors. */
public final class DiskInspector {
    private final E2fsTools tools;

    public DiskInspector(E2fsTools tools) {
        this.tools = tools;
    }

    public DiskFacts inspect(Path disk) throws EngineException {
        Superblock sb = superblock(disk, "disk");
        long size;
        try {
            size = Files.size(disk);
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE, "cannot read " + ConfinedRoot.quoted(disk) + ": " + ErrorText.of(e));
        }
        return new DiskFacts(
                disk.toString(),
                size,
                allocatedBytes(disk),
                sb.sizeBytes(),
                sb.uuid().toString(),
                sb.label(),
                sb.blockSize(),
                sb.usedBytes(),
                sb.inodesCount(),
                sb.freeInodesCount(),
                sb.clean(),
                sb.featureNames(),
                Ownership.requesterOf(disk).orElse(null));
    }

    /** Bytes the host filesystem really holds for the file: the measure of sparseness. */
    private long allocatedBytes(Path disk) throws EngineException {
        E2fsTools.Result r = tools.run("stat", List.of("--format=%b %B", disk.toString()));
        String[] parts = r.stdout().strip().split(" ");
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    /** The superblock of an image the engine is about to read, with missing, unreadable and non-ext4 told apart. */
    public static Superblock superblock(Path image, String role) throws EngineException {
        try {
            if (Files.isDirectory(image)) {
                throw new EngineException(
                        Problem.SOURCE_UNREADABLE, role + " " + ConfinedRoot.quoted(image) + " is a directory");
            }
            return Ext4Image.readSuperblock(image);
        } catch (EngineException e) {
            throw e;
        } catch (IOException e) {
            throw imageError(image, role, e);
        }
    }

    public static EngineException imageError(Path image, String role, IOException e) {
        String name = role + " " + ConfinedRoot.quoted(image);
        if (e instanceof NoSuchFileException) {
            return new EngineException(Problem.SOURCE_UNREADABLE, name + " does not exist");
        }
        if (e instanceof AccessDeniedException) {
            return new EngineException(Problem.SOURCE_UNREADABLE, name + " is not readable (permission denied)");
        }
        if (e instanceof UnsupportedFeatureException) {
            return new EngineException(Problem.UNSUPPORTED_FILESYSTEM, name + " cannot be read: " + ErrorText.of(e));
        }
        if (e instanceof Ext4FormatException) {
            String msg = e.getMessage();
            Problem p = msg.startsWith("not an ext2/3/4") || msg.startsWith("too small")
                    ? Problem.NOT_EXT4
                    : Problem.CORRUPT_IMAGE;
            return new EngineException(
                    p, name + " is " + (p == Problem.NOT_EXT4 ? "not an ext4 image: " : "corrupt: ") + msg);
        }
        return new EngineException(Problem.SOURCE_UNREADABLE, "cannot read " + name + ": " + ErrorText.of(e));
    }
}

package io.workdisk.agent.engine.files;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Optional;

/**
 * The mark that says "workdisk made this file, for this requester". It lives in an extended attribute
 * of the file itself (user.workdisk.owner), so it is published in the same rename as the disk and a
 * file copied or replaced by someone else never carries it.
 */
public final class Ownership {
    static final String ATTRIBUTE = "workdisk.owner";
    private static final String PREFIX = "workdisk/v1 requester=";
    static final String KIND = "workdisk.kind";
    private static final String DISK = "disk";

    private Ownership() {}

    public static void mark(Path file, String requester) throws EngineException {
        try {
            view(file).write(ATTRIBUTE, ByteBuffer.wrap((PREFIX + requester).getBytes(StandardCharsets.UTF_8)));
        } catch (UnsupportedOperationException | IOException e) {
            throw new EngineException(
                    Problem.UNSUPPORTED_FILESYSTEM,
                    "cannot record ownership on "
                            + ConfinedRoot.quoted(file) + ": the filesystem must support user extended attributes ("
                            + ErrorText.of(e) + ")");
        }
    }

    /**
     * Marks a file as a disk (format, materialize) rather than a seed, so that a disk given where a seed is
     * expected is recognised: both are ext4 images workdisk made, and nothing else tells them apart.
     */
    public static void markDisk(Path file) throws EngineException {
        try {
            view(file).write(KIND, ByteBuffer.wrap(DISK.getBytes(StandardCharsets.UTF_8)));
        } catch (UnsupportedOperationException | IOException e) {
            throw new EngineException(
                    Problem.UNSUPPORTED_FILESYSTEM,
                    "cannot mark " + ConfinedRoot.quoted(file)
                            + " as a disk: the filesystem must support user extended attributes");
        }
    }

    /** Whether workdisk made {@code file} as a disk (disks made before the mark existed are not known). */
    public static boolean isDisk(Path file) {
        try {
            UserDefinedFileAttributeView view = view(file);
            if (!view.list().contains(KIND)) {
                return false;
            }
            ByteBuffer buf = ByteBuffer.allocate(view.size(KIND));
            view.read(KIND, buf);
            return DISK.equals(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /** The requester recorded on a file, or empty when workdisk did not create it. */
    public static Optional<String> requesterOf(Path file) {
        try {
            UserDefinedFileAttributeView view = view(file);
            if (!view.list().contains(ATTRIBUTE)) {
                return Optional.empty();
            }
            ByteBuffer buf = ByteBuffer.allocate(view.size(ATTRIBUTE));
            view.read(ATTRIBUTE, buf);
            String value = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            return value.startsWith(PREFIX) ? Optional.of(value.substring(PREFIX.length())) : Optional.empty();
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Refuses to let the engine touch an existing file unless workdisk made it for the same requester.
     * Replacing additionally needs the caller's explicit force.
     */
    public static void checkMayReplace(Path target, String requester, boolean force) throws EngineException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException(
                    Problem.INVALID_PATH, ConfinedRoot.quoted(target) + " is a directory; name a file to create in it");
        }
        if (!force) {
            throw new EngineException(
                    Problem.TARGET_EXISTS,
                    ConfinedRoot.quoted(target) + " already exists (use --force to replace a disk workdisk created)");
        }
        checkOwned(target, requester);
    }

    /** Refuses unless the file carries workdisk's record for this requester. */
    public static void checkOwned(Path target, String requester) throws EngineException {
        Optional<String> owner = requesterOf(target);
        if (owner.isEmpty()) {
            throw new EngineException(
                    Problem.NOT_OWNED,
                    ConfinedRoot.quoted(target) + " was not created by workdisk; refusing to modify or remove it");
        }
        if (!owner.get().equals(requester)) {
            throw new EngineException(
                    Problem.NOT_OWNED,
                    ConfinedRoot.quoted(target) + " belongs to requester '" + owner.get() + "', not '" + requester
                            + "'; refusing to modify or remove it");
        }
    }

    private static UserDefinedFileAttributeView view(Path file) {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new UnsupportedOperationException("no user extended attributes");
        }
        return view;
    }
}

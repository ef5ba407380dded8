package io.workdisk.agent.engine.files;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An output under construction: a temporary image (and, if needed, a staging directory) in the target's
 * own directory, guarded by a lock file that this process holds until it is done. It becomes visible
 * only through {@link #publish}, a single link or rename after fsync, so a crash at any instant leaves
 * either no disk or the previous one at the final path. A later run removes what a dead one left.
 */
public final class StagedOutput implements AutoCloseable {
    private static final String PREFIX = ConfinedRoot.RESERVED_PREFIX + "tmp-";
    private static final Pattern LEFTOVER =
            Pattern.compile(Pattern.quote(PREFIX) + "([0-9a-f]{16})\\.(lock|img|stage)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final Path image;
    private final Path stage;
    private final Path lockFile;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean published;

    private StagedOutput(Path directory, String id, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.image = directory.resolve(PREFIX + id + ".img");
        this.stage = directory.resolve(PREFIX + id + ".stage");
        this.lockFile = directory.resolve(PREFIX + id + ".lock");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Starts an output that will be published at {@code target}; the image file is created empty. */
    public static StagedOutput begin(Path target) throws EngineException {
        Path directory = target.getParent();
        for (int attempt = 0; attempt < 8; attempt++) {
            String id = HexFormat.of().formatHex(randomBytes());
            Path lockPath = directory.resolve(PREFIX + id + ".lock");
            FileChannel channel = null;
            try {
                channel = FileChannel.open(lockPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileLock lock = channel.lock();
                // A concurrent cleanup may have removed the file between create and lock; start again then.
                if (!Files.exists(lockPath, LinkOption.NOFOLLOW_LINKS)) {
                    channel.close();
                    continue;
                }
                StagedOutput out = new StagedOutput(directory, id, channel, lock);
                Files.createFile(out.image);
                return out;
            } catch (FileAlreadyExistsException | OverlappingFileLockException e) {
                closeQuietly(channel);
            } catch (AccessDeniedException e) {
                closeQuietly(channel);
                throw new EngineException(
                        Problem.IO_ERROR,
                        "cannot create a temporary file in " + ConfinedRoot.quoted(directory) + ": permission denied",
                        e);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new EngineException(
                        Problem.IO_ERROR,
                        "cannot create a temporary file in " + ConfinedRoot.quoted(directory) + ": " + ErrorText.of(e),
                        e);
            }
        }
        throw new EngineException(
                Problem.IO_ERROR, "cannot create a unique temporary file in " + ConfinedRoot.quoted(directory));
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    public Path image() {
        return image;
    }

    /** A private directory next to the image, created on first use, for extracted trees. */
    public Path stage() throws EngineException {
        try {
            if (!Files.isDirectory(stage, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(stage);
            }
            return stage;
        } catch (IOException e) {
            throw new EngineException(Problem.IO_ERROR, "cannot create staging directory: " + ErrorText.of(e), e);
        }
    }

    /** Removes the staging directory early, once its contents are no longer needed. */
    public void discardStage() {
        Trees.deleteQuietly(stage);
    }

    /**
     * Makes the image visible at {@code target}. Without {@code replace} this is a hard link, which fails
     * rather than clobber a file that appeared meanwhile; with it, an atomic rename over the old disk.
     */
    public void publish(Path target, boolean replace) throws EngineException {
        try {
            Durability.fsync(image);
            if (replace) {
                Files.move(image, target, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.createLink(target, image);
            }
            Durability.fsync(directory);
            published = true;
        } catch (FileAlreadyExistsException e) {
            throw new EngineException(
                    Problem.TARGET_EXISTS, ConfinedRoot.quoted(target) + " appeared while it was being built");
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR, "cannot publish " + ConfinedRoot.quoted(target) + ": " + ErrorText.of(e), e);
        }
    }

    public boolean published() {
        return published;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(image);
        } catch (IOException ignored) {
            // Left for the next run's cleanup, which will find it unlocked.
        }
        Trees.deleteQuietly(stage);
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it anyway.
        }
        closeQuietly(lockChannel);
        // Only now: the JVM keys its locks by inode, and a deleted lock file's inode may be reused at once by
        // another thread's new lock file, which would then clash with a lock this thread still held.
        try {
            Files.deleteIfExists(lockFile);
        } catch (IOException ignored) {
            // Same: an unlocked lock file is a leftover the next run removes.
        }
    }

    /**
     * Removes what crashed runs left in {@code directory}: every temporary whose lock no live process
     * holds. Returns how many temporaries were removed.
     */
    public static int cleanLeftovers(Path directory) {
        int removed = 0;
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, PREFIX + "*")) {
            for (Path entry : entries) {
                Matcher m = LEFTOVER.matcher(entry.getFileName().toString());
                if (m.matches()) {
                    ids.add(m.group(1));
                }
            }
        } catch (IOException e) {
            // Cleanup is best effort; the operation that follows reports real problems.
            return 0;
        }
        for (String id : ids) {
            removed += removeIfAbandoned(directory, id) ? 1 : 0;
        }
        return removed;
    }

    private static boolean removeIfAbandoned(Path directory, String id) {
        Path lockPath = directory.resolve(PREFIX + id + ".lock");
        FileChannel channel = null;
        try {
            if (Files.exists(lockPath, LinkOption.NOFOLLOW_LINKS)) {
                channel = FileChannel.open(lockPath, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    return false;
                }
                if (lock == null) {
                    return false;
                }
            }
            boolean any = Files.deleteIfExists(directory.resolve(PREFIX + id + ".img"));
            any |= Trees.deleteQuietly(directory.resolve(PREFIX + id + ".stage"));
            closeQuietly(channel); // before the lock file goes: see close()
            channel = null;
            any |= Files.deleteIfExists(lockPath);
            return any;
        } catch (IOException e) {
            return false;
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing useful to do with a failed close of a lock channel.
            }
        }
    }
}

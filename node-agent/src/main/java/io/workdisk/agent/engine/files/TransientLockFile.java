package io.workdisk.agent.engine.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * An exclusive lock between processes, held on a file that exists only while the lock is held: the holder
 * removes it before letting go, so nothing is left beside what it guards.
 *
 * <p>Removing a lock file is safe only if a process that opened it before the removal, and then locked
 * that now nameless file, notices and tries again (otherwise it and a process that created a new file at
 * the path would both think they hold the lock). So a holder marks the file it locked with a random
 * apparent size (one byte written far out: a sparse file of one block) and reads the size at the path
 * with stat. Reading the path's content instead would open and close a second descriptor, and closing
 * any descriptor of a file drops this process's POSIX locks on it.
 */
public final class TransientLockFile implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ATTEMPTS = 8;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private TransientLockFile(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock on {@code file}, created if absent; empty when another process or thread holds it. */
    public static Optional<TransientLockFile> tryAcquire(Path file) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldInThisProcess) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            long mark = 1 + RANDOM.nextLong(1L << 40);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(new byte[] {1}), mark - 1);
            if (sizeAt(file) == mark) {
                return Optional.of(new TransientLockFile(file, channel, lock));
            }
            channel.close(); // a file its holder removed meanwhile: lock the one at the path now
        }
        throw new IOException("cannot lock " + ConfinedRoot.quoted(file) + ": it keeps being replaced");
    }

    private static long sizeAt(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException gone) {
            return -1;
        }
    }

    /** Removes the file, then lets go of the lock. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            channel.close(); // releases the lock
        }
    }

    /** Whether the lock is still held (for tests). */
    boolean held() {
        return lock.isValid();
    }
}

package io.workdisk.agent.engine.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock's file exists only while it is held; while held, nobody else gets it; released, anyone may. */
class TransientLockFileTest {
    @TempDir
    Path dir;

    @Test
    void itsFileExistsOnlyWhileHeldAndExcludesOthersMeanwhile() throws Exception {
        Path file = dir.resolve(".workdisk-resize-x.lock");
        Optional<TransientLockFile> first = TransientLockFile.tryAcquire(file);
        assertThat(first).isPresent();
        assertThat(first.get().held()).isTrue();
        assertThat(file).exists();
        assertThat(TransientLockFile.tryAcquire(file)).as("held by the first").isEmpty();
        assertThat(file).as("a refused attempt keeps the holder's file").exists();

        first.get().close();
        assertThat(first.get().held()).isFalse();
        assertThat(dir).isEmptyDirectory();

        try (TransientLockFile again = TransientLockFile.tryAcquire(file).orElseThrow()) {
            assertThat(again.held()).isTrue();
        }
        assertThat(dir).isEmptyDirectory();
    }

    /** A lock file a killed holder left is taken over, and removed on release like any. */
    @Test
    void aFileAKilledHolderLeftIsTakenOver() throws Exception {
        Path file = Files.writeString(dir.resolve(".workdisk-resize-x.lock"), "");
        try (TransientLockFile lock = TransientLockFile.tryAcquire(file).orElseThrow()) {
            assertThat(lock.held()).isTrue();
        }
        assertThat(dir).isEmptyDirectory();
    }
}

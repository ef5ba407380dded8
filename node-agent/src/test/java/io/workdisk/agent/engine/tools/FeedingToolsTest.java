package io.workdisk.agent.engine.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool reading what the engine writes on its standard input (mke2fs -d -): whichever side fails, the
 * other stops and the error names the side that failed. The timeouts only guard against a hang.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FeedingToolsTest {
    @TempDir
    Path tmp;

    private final E2fsTools tools = E2fsTools.fromEnvironment();

    @Test
    void aToolThatFailsWhileBeingFedIsReportedWithItsOwnErrorNotTheBrokenPipe() {
        Path image = tmp.resolve("missing-dir/seed.img");
        byte[] chunk = new byte[1 << 16];
        Arrays.fill(chunk, (byte) 'x');

        assertThatThrownBy(() -> tools.runFeeding("mkfs.ext4", Mkfs.seedFromStandardInput(image, 16384), stdin -> {
                    for (int i = 0; i < 4096; i++) { // 256 MiB: far more than the pipe holds
                        stdin.write(chunk);
                    }
                }))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("mkfs.ext4 failed")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.TOOL_FAILED);
    }

    @Test
    void aFeederThatFailsStopsTheToolAndItsOwnErrorComesBack() throws Exception {
        Path image = tmp.resolve("seed.img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64 << 20);
        }

        assertThatThrownBy(() -> tools.runFeeding("mkfs.ext4", Mkfs.seedFromStandardInput(image, 16384), stdin -> {
                    stdin.write(new byte[100]); // part of a tar header: mke2fs waits for the rest
                    stdin.flush();
                    throw new IOException("the layer could not be read");
                }))
                .isInstanceOf(IOException.class)
                .hasMessage("the layer could not be read");
        assertThat(Files.exists(image)).isTrue();
    }

    @Test
    void aFeederThatFailsWithBytesStillBufferedGetsItsOwnErrorBackNotTheKilledTools() throws Exception {
        // Closing our side flushes what is buffered into the pipe of a tool we have just killed: that write
        // fails too, and must not make the kill look like the tool's own failure. It is a race, so run it often.
        Path image = tmp.resolve("seed.img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64 << 20);
        }
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> tools.runFeeding("mkfs.ext4", Mkfs.seedFromStandardInput(image, 16384), stdin -> {
                        stdin.write(new byte[100]); // left in the buffer: no flush
                        throw new EngineException(Problem.SOURCE_UNREADABLE, "the layer changed");
                    }))
                    .as("attempt %d", i)
                    .isInstanceOf(EngineException.class)
                    .hasMessage("the layer changed");
        }
    }

    @Test
    void aToolFedToTheEndSucceeds() throws Exception {
        Path image = tmp.resolve("seed.img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64 << 20);
        }
        Requirements.mke2fsReadsTar(tmp);

        E2fsTools.Result r = tools.runFeeding(
                "mkfs.ext4", Mkfs.seedFromStandardInput(image, 16384), stdin -> stdin.write(new byte[1024]));

        assertThat(r.exitCode()).isZero();
    }
}

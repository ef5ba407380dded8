package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.TreeAssert;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File data is streamed: a file several times larger than the agent's whole heap goes through intact. */
class StreamingTest {
    @TempDir
    Path tmp;

    @Test
    void fileLargerThanTheHeapIsCopiedThroughAHeapOfThirtyTwoMegabytes() throws Exception {
        Path tree = tmp.resolve("tree");
        Path home = Files.createDirectories(tree.resolve("root"));
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(3);
        try (OutputStream out = Files.newOutputStream(home.resolve("big.bin"))) {
            for (int i = 0; i < 160; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path rootfs = Rootfs.make(tree, data.resolve("rootfs.ext4"), 512, Rootfs.Layout.EXT4_DEFAULT);
        Path seed = data.resolve("seed.ext4");

        JavaProcess agent = JavaProcess.start(
                List.of("-Xmx32m"),
                Map.of(),
                tmp.resolve("agent.log"),
                "build-seed",
                "--rootfs",
                rootfs.toString(),
                seed.toString());

        assertThat(agent.waitFor())
                .as(Files.readString(tmp.resolve("agent.log")))
                .isZero();
        TreeAssert.assertSameTree(home, DebugfsTree.read(seed, tmp));
    }
}

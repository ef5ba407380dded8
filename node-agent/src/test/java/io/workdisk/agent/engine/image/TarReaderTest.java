package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.Shell;
import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What real GNU tar writes in its own format: long names and link targets as 'L' and 'K' records. */
class TarReaderTest {
    @TempDir
    Path tmp;

    @Test
    void gnuLongNamesAndLongLinkTargetsAreRead() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t"));
        String longName = "n".repeat(150);
        String longTarget = "/" + "t".repeat(200);
        Files.writeString(dir.resolve(longName), "content");
        Files.createSymbolicLink(dir.resolve("link"), Path.of(longTarget));
        Path tar = tmp.resolve("gnu.tar");
        Shell.ok(
                "tar",
                "--format=gnu",
                "--owner=+3000000",
                "--group=+4000000",
                "-C",
                dir.toString(),
                "-cf",
                tar.toString(),
                ".");

        List<TarEntry> entries = new ArrayList<>();
        String content = null;
        try (var in = new BufferedInputStream(Files.newInputStream(tar))) {
            TarReader reader = new TarReader(in);
            for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                entries.add(e);
                if (e.name().endsWith(longName)) {
                    content = new String(reader.content().readAllBytes());
                }
            }
        }

        TarEntry file = entries.stream()
                .filter(e -> e.name().equals("./" + longName))
                .findFirst()
                .orElseThrow();
        assertThat(content).isEqualTo("content");
        TarEntry link = entries.stream()
                .filter(e -> e.name().equals("./link"))
                .findFirst()
                .orElseThrow();
        assertThat(link.type()).isEqualTo(TarEntry.SYMLINK);
        assertThat(link.linkName()).isEqualTo(longTarget);
    }
}

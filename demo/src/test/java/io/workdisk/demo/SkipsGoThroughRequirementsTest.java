package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No test of any module skips on its own: JUnit's assumptions and conditional annotations skip silently in CI,
 * where {@code io.workdisk.agent.testing.Requirements} fails naming what is missing. A new skip must go through it.
 */
class SkipsGoThroughRequirementsTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Pattern QUIET_SKIP =
            Pattern.compile("\\bAssumptions\\b|\\bassume(True|False|That)\\(|\\babort\\(|TestAbortedException"
                    + "|@(Disabled|EnabledIf|DisabledIf|EnabledOn|DisabledOn|EnabledFor|DisabledFor)\\w*");
    static final Path REQUIREMENTS =
            REPO.resolve("node-agent/src/test/java/io/workdisk/agent/testing/Requirements.java");

    @Test
    void everySkipGoesThroughRequirements() throws IOException {
        List<String> quiet = new ArrayList<>();
        try (Stream<Path> modules = Files.list(REPO)) {
            for (Path tests : modules.map(m -> m.resolve("src/test/java"))
                    .filter(Files::isDirectory)
                    .toList()) {
                try (Stream<Path> files = Files.walk(tests)) {
                    for (Path file :
                            files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        if (file.equals(REQUIREMENTS)
                                || file.endsWith("RequirementsTest.java")
                                || file.endsWith("SkipsGoThroughRequirementsTest.java")) {
                            continue;
                        }
                        List<String> lines = Files.readAllLines(file);
                        for (int i = 0; i < lines.size(); i++) {
                            if (QUIET_SKIP.matcher(lines.get(i)).find()) {
                                quiet.add(REPO.relativize(file) + ":" + (i + 1) + ": "
                                        + lines.get(i).strip());
                            }
                        }
                    }
                }
            }
        }
        assertThat(quiet)
                .as("skips outside Requirements (use Requirements.need/tool/root/mke2fsReadsTar instead)")
                .isEmpty();
        assertThat(REQUIREMENTS).exists();
    }
}

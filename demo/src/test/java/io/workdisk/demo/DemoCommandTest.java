package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Shell;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's run command: the demo applies the examples and leaves real, clean images behind. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void demoMakesEveryExampleReadyAndLeavesRealImages() throws Exception {
        Path dir = tmp.resolve("demo");
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true));
            code = new CommandLine(new DemoCommand()).execute("--dir", dir.toString(), "--timeout", "90");
        } finally {
            System.setOut(saved);
        }
        String printed = out.toString();
        assertThat(code).as(printed).isZero();
        assertThat(printed).contains("every WorkDisk is Ready", "dev-vm", "scratch");
        List<String> lastTable = lastTable(printed);
        for (String node : List.of("node-a", "node-b")) {
            long ready = lastTable.stream()
                    .filter(l -> l.matches("^(dev-vm|scratch) +Ready +\\S+ +" + node + " .*"))
                    .count();
            assertThat(lastTable)
                    .as("the table left at the end counts %s's disks:\n%s", node, String.join("\n", lastTable))
                    .filteredOn(l -> l.startsWith(node + " "))
                    .extracting(l -> l.split(" +")[2])
                    .containsExactly(Long.toString(ready));
        }
        for (String header : List.of("WORKNODE", "WORKSEED", "WORKDISK")) {
            int at = lastTable.indexOf(lastTable.stream()
                    .filter(l -> l.startsWith(header))
                    .findFirst()
                    .orElseThrow());
            int column = lastTable.get(at).lastIndexOf("   ") + 3; // columns are three spaces apart at least
            assertThat(lastTable.get(at + 1).charAt(column - 1))
                    .as("%s's last column starts where its header does, however long the cells before", header)
                    .isEqualTo(' ');
            assertThat(lastTable.get(at + 1).charAt(column)).isNotEqualTo(' ');
        }

        List<Path> images;
        try (Stream<Path> s = Files.walk(dir)) {
            images = s.filter(p ->
                            p.toString().contains("/disks/") && p.toString().endsWith(".ext4"))
                    .toList();
        }
        assertThat(images).hasSize(2);
        for (Path image : images) {
            Shell.assertFsckClean(image);
        }
        assertThat(images).anySatisfy(image -> {
            try {
                assertThat(DebugfsTree.read(image, tmp))
                        .containsKeys(".bashrc", ".ssh/authorized_keys", "bin/setuid-helper");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /** The tables the demo drew last: from the last WORKNODE header to the line before its verdict. */
    static List<String> lastTable(String printed) {
        List<String> lines = printed.lines().toList();
        int start = -1;
        int end = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("WORKNODE")) {
                start = i;
            } else if (lines.get(i).startsWith("workdisk demo: every")) {
                end = i;
            }
        }
        return lines.subList(start, end);
    }

    @Test
    void versionSaysWhichDemo() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            assertThat(new CommandLine(new DemoCommand()).execute("--version")).isZero();
        } finally {
            System.setOut(saved);
        }
        assertThat(out.toString()).isEqualTo("workdisk demo 0.1.0\n");
    }

    @Test
    void aDirectoryTheDemoDidNotMakeIsNeverWipedOut() throws Exception {
        Path precious = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(precious.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> DemoCommand.prepare(precious)).hasMessageContaining("was not made by the demo");
        assertThat(precious.resolve("keep.txt")).hasContent("mine");
    }
}

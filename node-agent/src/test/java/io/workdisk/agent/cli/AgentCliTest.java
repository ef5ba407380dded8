package io.workdisk.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AgentCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path data;
    String stdout;
    String stderr;

    @BeforeEach
    void setUp() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
    }

    private int run(String... args) {
        CliRun r = CliRun.of(args);
        stdout = r.stdout();
        stderr = r.stderr();
        return r.code();
    }

    private JsonNode json() throws Exception {
        return JSON.readTree(stdout);
    }

    @Test
    void wholeLifecycleWithJsonResults() throws Exception {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree);
        TreeFixture.create(tree.resolve("root"));
        Path rootfs = Rootfs.make(tree, data.resolve("rootfs.ext4"));

        assertThat(run("build-seed", "--json", "--rootfs", rootfs.toString()))
                .as(stderr)
                .isZero();
        JsonNode seed = json();
        assertThat(seed.get("operation").asText()).isEqualTo("build-seed");
        assertThat(seed.get("seconds").isNumber()).isTrue();
        assertThat(seed.get("seconds").asDouble()).isPositive();
        assertThat(seed.get("path").asText())
                .isEqualTo(data.resolve("rootfs.work-seed.ext4").toString());
        assertThat(seed.get("skippedByKind").get("fifo").asInt()).isEqualTo(1);

        Path disk = data.resolve("vm.ext4");
        assertThat(run("materialize", "--json", "--seed", seed.get("path").asText(), "--size", "2Gi", disk.toString()))
                .as(stderr)
                .isZero();
        JsonNode made = json();
        assertThat(made.get("operation").asText()).isEqualTo("materialize");
        assertThat(made.get("sizeBytes").asLong()).isEqualTo(2L << 30);
        assertThat(made.get("owner").asText()).isEqualTo("cli");
        String uuid = made.get("filesystemUUID").asText();

        assertThat(run("resize", "--json", "--size", "3Gi", disk.toString()))
                .as(stderr)
                .isZero();
        assertThat(json().get("filesystemBytes").asLong()).isEqualTo(3L << 30);

        assertThat(run("inspect", "--json", disk.toString())).isZero();
        JsonNode facts = json();
        assertThat(facts.get("operation").asText()).isEqualTo("inspect");
        assertThat(facts.get("filesystemUUID").asText()).isEqualTo(uuid);
        assertThat(facts.get("clean").asBoolean()).isTrue();
        assertThat(facts.get("usedBytes").asLong()).isPositive();
        assertThat(facts.get("inodeCount").asLong()).isPositive();
        assertThat(facts.has("label")).isTrue();

        assertThat(run("delete", disk.toString())).isZero();
        assertThat(disk).doesNotExist();
    }

    /** subtree / takes the whole rootfs, as a VM root disk needs: the root directory is a subtree like any. */
    @Test
    void theWholeRootfsIsASubtree() throws Exception {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree);
        TreeFixture.create(tree.resolve("root"));
        Files.writeString(Files.createDirectories(tree.resolve("etc")).resolve("hostname"), "vm\n");
        Path rootfs = Rootfs.make(tree, data.resolve("rootfs.ext4"));

        assertThat(run("build-seed", "--json", "--rootfs", rootfs.toString(), "--subtree", "/"))
                .as(stderr)
                .isZero();

        Path seed = Path.of(json().get("path").asText());
        assertThat(DebugfsTree.read(seed, tmp)).containsKeys("etc/hostname", "root");
    }

    @Test
    void theAgentRefusesRegistryFilesItCannotRead() {
        for (String option : List.of("--registry-config", "--ca-file")) {
            assertThat(run(
                            "run",
                            "--node",
                            "n",
                            "--root",
                            data.toString(),
                            option,
                            tmp.resolve("missing.json").toString()))
                    .as(option)
                    .isEqualTo(2);
        }
    }

    @Test
    void humanOutputIsKeyValueLines() {
        assertThat(run("format", "--size", "64Mi", data.resolve("d.ext4").toString()))
                .as(stderr)
                .isZero();
        assertThat(stdout)
                .contains("operation: format")
                .containsPattern("seconds: [0-9.]+")
                .contains("sizeBytes: 67108864");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0     | must be positive",
                "-1Gi  | must be positive",
                "abc   | is not a size",
                "1.5   | not a whole number of bytes",
                "10Ei  | too large",
                "8 Gi  | is not a size"
            })
    void badSizesAreUsageErrorsNamingTheValue(String size, String message) {
        assertThat(run("format", "--size", size, data.resolve("d.ext4").toString()))
                .isEqualTo(2);
        assertThat(stderr.lines().findFirst().orElseThrow())
                .startsWith("workdisk: ")
                .contains(message);
        assertThat(data).isEmptyDirectory();
    }

    @Test
    void engineErrorsAreOneLineAndExitOne() throws Exception {
        Path user = data.resolve("taken.ext4");
        Files.writeString(user, "x");
        assertThat(run("format", "--size", "1Gi", "--force", user.toString())).isEqualTo(1);
        assertThat(stderr.lines().count()).isEqualTo(1);
        assertThat(stderr).startsWith("workdisk: ").contains("not created by workdisk");
    }

    @Test
    void jsonErrorsCarryTheReason() throws Exception {
        assertThat(run("inspect", "--json", data.resolve("gone.ext4").toString()))
                .isEqualTo(1);
        assertThat(json().get("reason").asText()).isEqualTo("SOURCE_UNREADABLE");
        assertThat(json().get("error").asText()).contains("does not exist");
    }

    @Test
    void errorNamingAPathWithANewlineStaysOneLine() {
        assertThat(run("inspect", data.resolve("bad\nname").toString())).isEqualTo(1);
        assertThat(stderr.strip().lines().count()).isEqualTo(1);
        assertThat(stderr).contains("bad\\x0aname");
    }

    @Test
    void rootOptionConfinesOutputs() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        assertThat(run(
                        "format",
                        "--root",
                        data.toString(),
                        "--size",
                        "64Mi",
                        other.resolve("d.ext4").toString()))
                .isEqualTo(1);
        assertThat(stderr).contains("outside the data root");
        assertThat(other).isEmptyDirectory();
    }

    @Test
    void missingArgumentsAndUnknownCommandsAreUsageErrors() {
        assertThat(run("format", data.resolve("d.ext4").toString())).isEqualTo(2);
        assertThat(stderr).contains("--size");
        assertThat(run("explode")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
        assertThat(run("--help")).isZero();
        assertThat(stdout).contains("format", "build-seed", "materialize", "resize", "inspect", "delete");
    }

    /** The usage error's own advice ("Run 'workdisk agent build-seed --help'") works for every step. */
    @ParameterizedTest
    @ValueSource(strings = {"format", "build-seed", "materialize", "resize", "inspect", "delete", "run"})
    void everyStepExplainsItselfWithHelp(String step) {
        assertThat(run(step, "--help")).as(stderr).isZero();
        assertThat(stdout).contains("Usage: workdisk agent " + step, "--help");
        assertThat(stderr).isEmpty();
    }

    @Test
    void launcherRunsTheCli() throws Exception {
        Path launcher = Path.of("..", "workdisk").toAbsolutePath().normalize();
        Shell.Result r = Shell.run(List.of(
                "env",
                "WORKDISK_CLASSPATH=" + System.getProperty("java.class.path"),
                launcher.toString(),
                "agent",
                "format",
                "--json",
                "--size",
                "64Mi",
                data.resolve("via launcher.ext4").toString()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(JSON.readTree(r.stdout()).get("sizeBytes").asLong()).isEqualTo(64L << 20);
    }
}

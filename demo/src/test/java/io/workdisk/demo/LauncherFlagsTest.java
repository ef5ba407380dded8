package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./workdisk operator} and {@code ./workdisk agent run} run with the JVM flags their images use, under
 * the memory limits the chart gives the pods, so what is measured (LoadBenchmark) is what runs everywhere.
 */
class LauncherFlagsTest {
    @TempDir
    Path tmp;

    @Test
    void theLauncherAndTheImagesUseTheSameFlags() {
        assertThat(LauncherFlags.array(LauncherFlags.LAUNCHER, "operator_jvm"))
                .isEqualTo(LauncherFlags.array(LauncherFlags.IMAGE_BUILD, "operator_jvm"))
                .contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MinHeapFreeRatio=10");
        assertThat(LauncherFlags.array(LauncherFlags.LAUNCHER, "agent_jvm"))
                .isEqualTo(LauncherFlags.array(LauncherFlags.IMAGE_BUILD, "agent_jvm"))
                .contains("-XX:TieredStopAtLevel=1", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");
    }

    @Test
    void theHeapIsSizedForTheChartsMemoryLimits() {
        List<HasMetadata> chart = HelmChartTest.render();
        assertThat(ChartImagesTest.operator(chart)
                        .getResources()
                        .getLimits()
                        .get("memory")
                        .toString())
                .isEqualTo(mebibytes(LauncherFlags.variable(LauncherFlags.LAUNCHER, "operator_memory_limit")));
        assertThat(ChartImagesTest.agent(chart)
                        .getResources()
                        .getLimits()
                        .get("memory")
                        .toString())
                .isEqualTo(mebibytes(LauncherFlags.variable(LauncherFlags.LAUNCHER, "agent_memory_limit")));
    }

    @Test
    void theServicesGetThemAndAStepOnAGivenClassPathRunsWithoutThem() throws Exception {
        assertThat(javaRunBy("", "operator", "--no-leader-election"))
                .containsSubsequence(LauncherFlags.operator())
                .contains("MALLOC_ARENA_MAX=2");
        assertThat(javaRunBy("", "agent", "run", "--node", "n"))
                .containsSubsequence(LauncherFlags.agent())
                .contains("MALLOC_ARENA_MAX=2");
        assertThat(javaRunBy("", "agent", "format", "--size", "1Gi"))
                .noneMatch(a -> a.startsWith("-XX:"))
                .doesNotContain("MALLOC_ARENA_MAX=2");
    }

    @Test
    void javaOptionsGivenByTheUserComeLastAndSoWin() throws Exception {
        List<String> args = javaRunBy("-XX:MaxRAM=1g", "operator");
        assertThat(args.indexOf("-XX:MaxRAM=1g"))
                .isGreaterThan(args.indexOf(LauncherFlags.operator().get(0)));
    }

    /** 384m -> 384Mi: the launcher's JVM size as the chart writes it. */
    private static String mebibytes(String jvmSize) {
        assertThat(jvmSize).endsWith("m");
        return jvmSize.substring(0, jvmSize.length() - 1) + "Mi";
    }

    /**
     * The arguments the launcher starts {@code java} with (a stand-in {@code java} first on the PATH prints them,
     * one a line, and then the MALLOC_ARENA_MAX it was given), for these launcher arguments and WORKDISK_JAVA_OPTS.
     */
    private List<String> javaRunBy(String javaOpts, String... launcherArgs) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\necho \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>(List.of(LauncherFlags.LAUNCHER.toString()));
        command.addAll(List.of(launcherArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("WORKDISK_CLASSPATH", "unused.jar");
        pb.environment().put("WORKDISK_JAVA_OPTS", javaOpts);
        pb.environment().remove("MALLOC_ARENA_MAX");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines().toList();
    }
}

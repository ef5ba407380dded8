package io.workdisk.agent.csi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CSI conformance suite (kubernetes-csi/csi-test's csi-sanity, from the shared tools beside the
 * repository: {@code ../shared/csi/csi-sanity}) run as a process against a driver's sockets.
 */
public final class CsiSanity {
    private static final Pattern SUMMARY = Pattern.compile(
            "Ran (\\d+) of (\\d+) Specs.*?\\n.*?(\\d+) Passed \\| (\\d+) Failed \\| (\\d+) Pending \\| (\\d+) Skipped",
            Pattern.DOTALL);

    private static final Pattern SKIPPED_CASE = Pattern.compile("<testcase name=\"([^\"]*)\"[^>]*>\\s*<skipped");

    /** What a run said: its exit code, its counts, and its whole output (for the failure message). */
    public record Outcome(
            int exit, int ran, int passed, int failed, int skipped, List<String> skippedNames, String output) {}

    private CsiSanity() {}

    /** The binary, from the repository's sibling {@code shared/csi}, or $WORKDISK_CSI_SANITY. */
    public static Optional<Path> locate() {
        String override = System.getenv("WORKDISK_CSI_SANITY");
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override));
        }
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared").resolve("csi/csi-sanity");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static Outcome run(Path sanity, Path workDir, List<String> arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(sanity.toString());
        command.addAll(arguments);
        command.add("--ginkgo.no-color");
        command.add("--ginkgo.timeout=10m");
        Path report = workDir.resolve("csi-sanity.xml");
        command.add("--ginkgo.junit-report=" + report);
        Path log = workDir.resolve("csi-sanity.log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(12, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("csi-sanity did not finish in 12 minutes; its output: " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Matcher m = SUMMARY.matcher(output);
        if (!m.find()) {
            return new Outcome(process.exitValue(), 0, 0, 0, 0, List.of(), output);
        }
        return new Outcome(
                process.exitValue(),
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)),
                Integer.parseInt(m.group(6)),
                skipped(report),
                output);
    }

    /** The names of the specs the suite skipped, from its JUnit report (a testcase with a skipped element). */
    private static List<String> skipped(Path report) throws IOException {
        if (!Files.exists(report)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        Matcher m = SKIPPED_CASE.matcher(Files.readString(report, StandardCharsets.UTF_8));
        while (m.find()) {
            names.add(m.group(1).replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&"));
        }
        return names;
    }
}

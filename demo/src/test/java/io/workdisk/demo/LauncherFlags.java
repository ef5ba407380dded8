package io.workdisk.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags of the long-running programs, as the launcher ({@code ./workdisk}) and images/build write them:
 * bash arrays {@code operator_jvm=(...)} and {@code agent_jvm=(...)}, and the launcher's stand-ins for the
 * chart's memory limits. Read from the scripts themselves, so the benchmarks measure what users run.
 */
final class LauncherFlags {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path LAUNCHER = REPO.resolve("workdisk");
    static final Path IMAGE_BUILD = REPO.resolve("images").resolve("build");

    private LauncherFlags() {}

    /** {@code ./workdisk operator}'s flags: the image's, and MaxRAM for the chart's memory limit. */
    static List<String> operator() {
        return withLimit(array(LAUNCHER, "operator_jvm"), variable(LAUNCHER, "operator_memory_limit"));
    }

    /** {@code ./workdisk agent run}'s flags. */
    static List<String> agent() {
        return withLimit(array(LAUNCHER, "agent_jvm"), variable(LAUNCHER, "agent_memory_limit"));
    }

    private static List<String> withLimit(List<String> flags, String limit) {
        List<String> all = new ArrayList<>(flags);
        all.add("-XX:MaxRAM=" + limit);
        return List.copyOf(all);
    }

    /** The words of a one-line bash array assignment {@code name=(a b c)} in {@code script}. */
    static List<String> array(Path script, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "=\\(([^)\\n]*)\\)$")
                .matcher(read(script));
        if (!m.find()) {
            throw new IllegalStateException(script + " has no line " + name + "=(...)");
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** The value of a one-line assignment {@code name=value} in {@code script}. */
    static String variable(Path script, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "=(\\S+)$").matcher(read(script));
        if (!m.find()) {
            throw new IllegalStateException(script + " has no line " + name + "=...");
        }
        return m.group(1);
    }

    private static String read(Path script) {
        try {
            return Files.readString(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

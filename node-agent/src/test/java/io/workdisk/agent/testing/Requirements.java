package io.workdisk.agent.testing;

import io.workdisk.agent.engine.seed.SeedMethod;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The one place the suite decides what happens when a test needs something this machine lacks (a tool, a
 * privilege, a kernel feature, a built artifact). Outside CI the test is skipped and the reason printed. In a run
 * that must be complete ({@code CI} set to anything but {@code false}/{@code 0}, or {@code WORKDISK_REQUIRE_ALL=1};
 * {@code .ci/run} exports both) it fails naming what is missing, because Surefire counts a skip as a pass and a
 * green CI must mean every test ran.
 *
 * <p>Use the static methods in tests ({@code Requirements.need(...)}, {@code Requirements.tool(...)}); the
 * record itself takes its environment and log as values so that the rule is tested without touching the real
 * ones.
 */
public record Requirements(boolean completeRun, String because, PrintStream log) {
    /** What a run that must be complete is told by. */
    public static final String REQUIRE_ALL = "WORKDISK_REQUIRE_ALL";

    /** The rule for this JVM's environment, printing skip reasons on standard error. */
    public static Requirements fromEnvironment() {
        return of(System.getenv(), System.err);
    }

    /** The rule an environment gives: complete when CI or {@value #REQUIRE_ALL} says so. */
    public static Requirements of(Map<String, String> env, PrintStream log) {
        if (isSet(env.get(REQUIRE_ALL))) {
            return new Requirements(true, REQUIRE_ALL + "=" + env.get(REQUIRE_ALL), log);
        }
        if (isSet(env.get("CI"))) {
            return new Requirements(true, "CI=" + env.get("CI"), log);
        }
        return new Requirements(false, "", log);
    }

    private static boolean isSet(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        return !(v.isEmpty() || v.equals("0") || v.equals("false") || v.equals("no"));
    }

    /**
     * Goes on only if {@code met}; otherwise skips (printing {@code missing}) or, in a complete run, fails with
     * {@code missing} as the message. {@code missing} names the tool or privilege and how to get it.
     */
    public void check(boolean met, String missing) {
        if (met) {
            return;
        }
        if (completeRun) {
            throw new AssertionFailedError("required in this run (" + because + "): " + missing);
        }
        log.println("skipped: " + missing);
        throw new TestAbortedException("skipped: " + missing);
    }

    // The suite's requirements, each naming what is missing and how to get it.

    /** The test needs this; see {@link #check}. */
    public static void need(boolean met, String missing) {
        fromEnvironment().check(met, missing);
    }

    /** An executable on PATH (or in /sbin, /usr/sbin), or the test cannot run; its path. */
    public static Path tool(String name, String howToGetIt) {
        Optional<Path> found = onPath(name);
        need(found.isPresent(), name + " is not installed (" + howToGetIt + ")");
        return found.orElseThrow();
    }

    /** Where {@code name} is on PATH or in /sbin, /usr/sbin (where e2fsprogs installs), if anywhere. */
    public static Optional<Path> onPath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/sbin", "/sbin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Whether this JVM runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return ((Number) uid).intValue() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Root, for {@code what} (e.g. "mknod", "mount"). */
    public static void root(String what) {
        need(isRoot(), what + " needs root (run the tests as root, as CI does)");
    }

    /**
     * {@code mke2fs -d FILE.tar} works here: e2fsprogs 1.47.1 or later and libarchive. Tried with the real mke2fs on
     * an empty tar in {@code scratch}, independently of the engine's own probe, which is what the tests check.
     */
    public static void mke2fsReadsTar(Path scratch) {
        need(
                mke2fsTakesATar(scratch),
                "mke2fs here cannot build from a tar (mke2fs -d FILE.tar needs e2fsprogs 1.47.1 or later and"
                        + " libarchive13; bash .ci/run installs them)");
    }

    /** What a test run once per way to mkfs ({@link BothWaysToMkfs}) needs for {@code method}. */
    public static void wayToMkfs(SeedMethod method, Path scratch) {
        if (method == SeedMethod.TAR) {
            mke2fsReadsTar(scratch);
        }
    }

    private static boolean mke2fsTakesATar(Path scratch) {
        Path mke2fs = tool("mke2fs", "apt-get install e2fsprogs");
        try {
            Path dir = Files.createTempDirectory(scratch, "tar-probe");
            Path tar = Files.write(dir.resolve("empty.tar"), new byte[1024]); // two zero blocks: an empty archive
            Path image = dir.resolve("probe.img");
            Shell.Result r = Shell.run(
                    List.of(mke2fs.toString(), "-q", "-F", "-t", "ext2", "-d", tar.toString(), image.toString(), "1M"));
            Files.deleteIfExists(image);
            Files.delete(tar);
            Files.delete(dir);
            return r.exitCode() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

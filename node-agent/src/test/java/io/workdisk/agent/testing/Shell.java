package io.workdisk.agent.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real tools for tests (mkfs.ext4, debugfs, e2fsck) and fails loudly when they fail. */
public final class Shell {
    private Shell() {}

    public record Result(int exitCode, String stdout, String stderr) {}

    public static Result run(List<String> command) {
        try {
            List<String> cmd = new ArrayList<>(command);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("LC_ALL", "C.UTF-8");
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Path out = Files.createTempFile("shell", ".out");
            Path err = Files.createTempFile("shell", ".err");
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            Result r = new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static String ok(String... command) {
        Result r = run(List.of(command));
        if (r.exitCode() != 0) {
            throw new AssertionError(
                    String.join(" ", command) + " failed (" + r.exitCode() + "): " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    /** e2fsck -fn: a read-only full check that must find nothing. */
    public static void assertFsckClean(Path image) {
        Result r = run(List.of("e2fsck", "-f", "-n", image.toString()));
        if (r.exitCode() != 0) {
            throw new AssertionError("e2fsck -fn " + image + " exit " + r.exitCode() + ":\n" + r.stdout() + r.stderr());
        }
    }

    /** Bytes the host really holds for a file (st_blocks * 512). */
    public static long allocatedBytes(Path file) {
        String[] parts = ok("stat", "--format=%b %B", file.toString()).strip().split(" ");
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }
}

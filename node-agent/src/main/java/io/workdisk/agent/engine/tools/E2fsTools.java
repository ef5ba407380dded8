package io.workdisk.agent.engine.tools;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.File;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs e2fsprogs and the few coreutils the engine needs: always as an argument array (never a shell),
 * with a C locale, a timeout and the tool's stderr carried into the error. Binaries are looked up in
 * the configured directories so a node (or a test) can say exactly where its e2fsprogs live.
 */
public final class E2fsTools {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
    private static final List<Path> STANDARD_DIRS = List.of(
            Path.of("/usr/local/sbin"),
            Path.of("/usr/local/bin"),
            Path.of("/usr/sbin"),
            Path.of("/usr/bin"),
            Path.of("/sbin"),
            Path.of("/bin"));

    private final List<Path> searchDirs;
    private final Duration timeout;
    /** Asked once per instance: the installed e2fsprogs do not change under a running agent. */
    private volatile E2fsVersion version;

    private volatile Boolean readsTar;

    public E2fsTools(List<Path> searchDirs, Duration timeout) {
        this.searchDirs = List.copyOf(searchDirs);
        this.timeout = timeout;
    }

    /** PATH first, then the usual sbin directories that a non-root PATH often lacks. */
    public static E2fsTools fromEnvironment() {
        List<Path> dirs = new ArrayList<>();
        String override = System.getenv("WORKDISK_TOOLS_DIR");
        if (override != null && !override.isBlank()) {
            dirs.add(Path.of(override));
        } else {
            String path = System.getenv("PATH");
            if (path != null) {
                for (String p : path.split(":")) {
                    if (!p.isEmpty()) {
                        dirs.add(Path.of(p));
                    }
                }
            }
            dirs.addAll(STANDARD_DIRS);
        }
        return new E2fsTools(dirs, DEFAULT_TIMEOUT);
    }

    public Optional<Path> locate(String tool) {
        for (Path dir : searchDirs) {
            Path candidate = dir.resolve(tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The installed e2fsprogs' release, from {@code mke2fs -V}, asked once. */
    public E2fsVersion version() throws EngineException {
        E2fsVersion known = version;
        if (known == null) {
            Result r = run(mke2fsName(), List.of("-V"));
            known = E2fsVersion.parse(r.stdout() + "\n" + r.stderr())
                    .orElseThrow(() -> new EngineException(
                            Problem.TOOL_FAILED,
                            "cannot tell the e2fsprogs release from mke2fs -V: " + summarize(r.stderr() + r.stdout())));
            version = known;
        }
        return known;
    }

    /**
     * Whether {@code mke2fs -d FILE.tar} works here: e2fsprogs 1.47.1 or later, and libarchive, which mke2fs
     * loads only when it meets a tar (Debian's e2fsprogs merely suggests it). Tried once, on an empty tar
     * in {@code scratch}.
     */
    public boolean readsTar(Path scratch) throws EngineException {
        Boolean known = readsTar;
        if (known == null) {
            known = version().atLeast(E2fsVersion.TAR_INPUT) && mke2fsTakesATar(scratch);
            readsTar = known;
        }
        return known;
    }

    private boolean mke2fsTakesATar(Path scratch) throws EngineException {
        Path tar = scratch.resolve("probe.tar");
        Path image = scratch.resolve("probe.img");
        try {
            Files.write(tar, new byte[1024]); // two zero blocks: an empty archive
            Result r = run(
                    mke2fsName(), List.of("-q", "-F", "-t", "ext2", "-d", tar.toString(), image.toString(), "1M"), 1);
            // The scratch directory may become a staging tree next: nothing of the probe may stay in it.
            Files.delete(tar);
            Files.deleteIfExists(image);
            return r.exitCode() == 0;
        } catch (IOException e) {
            throw new EngineException(Problem.IO_ERROR, "cannot write in " + scratch + ": " + ErrorText.of(e), e);
        }
    }

    /** mke2fs under its own name where it is there: a step's progress is told by the mkfs.ext4 runs that work. */
    private String mke2fsName() {
        return locate("mke2fs").isPresent() ? "mke2fs" : "mkfs.ext4";
    }

    /** Fails with TOOL_MISSING naming the first of these tools that is not installed. */
    public void require(String... tools) throws EngineException {
        for (String tool : tools) {
            resolve(tool);
        }
    }

    private Path resolve(String tool) throws EngineException {
        return locate(tool)
                .orElseThrow(() -> new EngineException(
                        Problem.TOOL_MISSING,
                        tool + " not found (searched " + searchDirs.size() + " directories); install e2fsprogs"
                                + (tool.equals("cp") || tool.equals("fallocate") || tool.equals("stat")
                                        ? " and coreutils/util-linux"
                                        : "")));
    }

    /** Runs a tool and returns its stdout; a non-zero exit is an error unless listed as acceptable. */
    public Result run(String tool, List<String> args, int... acceptableExitCodes) throws EngineException {
        // The engine runs unattended: a tool that would prompt gets end-of-file instead.
        Process process = start(tool, args, ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Both pipes are drained concurrently so a chatty tool never blocks on a full pipe.
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new EngineException(Problem.TOOL_TIMEOUT, tool + " did not finish within " + timeout);
            }
            int code = process.exitValue();
            String out = stdout.join();
            String err = stderr.join();
            if (code != 0 && !contains(acceptableExitCodes, code)) {
                throw exitFailure(tool, code, out, err, null);
            }
            return new Result(code, out, err);
        } catch (InterruptedException e) {
            throw interrupted(tool, process);
        }
    }

    /** A tool's non-zero exit, named with what it said (its stderr, else its stdout). */
    private static EngineException exitFailure(String tool, int code, String out, String err, Throwable cause) {
        return new EngineException(
                Problem.TOOL_FAILED,
                tool + " failed (exit " + code + "): " + summarize(err.isBlank() ? out : err),
                cause);
    }

    /** The engine was interrupted while a tool ran: the tool goes too. */
    private static EngineException interrupted(String tool, Process process) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        return new EngineException(Problem.TOOL_FAILED, tool + " was interrupted");
    }

    /** The tool started with {@code args}, in the C locale, its standard input from {@code stdin}. */
    private Process start(String tool, List<String> args, ProcessBuilder.Redirect stdin) throws EngineException {
        List<String> command = new ArrayList<>();
        command.add(resolve(tool).toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.redirectInput(stdin);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new EngineException(Problem.TOOL_FAILED, "could not run " + tool + ": " + ErrorText.of(e), e);
        }
    }

    /** Writes what a tool reads on its standard input. */
    @FunctionalInterface
    public interface Feeder {
        void feed(OutputStream stdin) throws IOException, EngineException;
    }

    /**
     * Runs a tool that reads {@code feeder}'s output on its standard input while it works (mke2fs -d -).
     * Neither side can hang the other: a feeder that fails kills the tool, a tool that dies breaks the
     * feeder's pipe and its own error is reported, and the timeout kills a tool that stops reading.
     */
    public Result runFeeding(String tool, List<String> args, Feeder feeder) throws EngineException, IOException {
        Process process = start(tool, args, ProcessBuilder.Redirect.PIPE);
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        AtomicBoolean timedOut = new AtomicBoolean();
        startPipeThread(() -> {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut.set(true);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        });
        ToolInput stdin = new ToolInput(process.getOutputStream());
        Exception failure = null;
        // Whether the tool had stopped reading when our side failed, taken before we kill it: closing our
        // side afterwards flushes into the dead tool's pipe and breaks it too, which says nothing of the tool.
        boolean toolStoppedFirst = false;
        try {
            feeder.feed(stdin);
            stdin.close();
        } catch (IOException | EngineException | RuntimeException e) {
            failure = e;
            toolStoppedFirst = stdin.broken;
            if (!toolStoppedFirst) {
                // Our side failed: the tool must not take a cut-short input for the whole of it.
                process.destroyForcibly();
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the pipe is already broken or the tool killed: nothing more can reach it
            }
        }
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            throw interrupted(tool, process);
        }
        int code = process.exitValue();
        String out = stdout.join();
        String err = stderr.join();
        if (timedOut.get()) {
            throw new EngineException(Problem.TOOL_TIMEOUT, tool + " did not finish within " + timeout, failure);
        }
        if ((failure == null || toolStoppedFirst) && code != 0) {
            throw exitFailure(tool, code, out, err, failure);
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof EngineException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        return new Result(code, out, err);
    }

    /** The tool's standard input, remembering whether a write failed because the tool stopped reading. */
    private static final class ToolInput extends FilterOutputStream {
        volatile boolean broken;

        ToolInput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                broken = true;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                broken = true;
                throw e;
            }
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (in) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "";
                    }
                },
                E2fsTools::startPipeThread);
    }

    private static void startPipeThread(Runnable task) {
        Thread t = new Thread(task, "tool-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(int[] codes, int code) {
        for (int c : codes) {
            if (c == code) {
                return true;
            }
        }
        return false;
    }

    /** Tool chatter reduced to its meaningful lines, on one line, so an error stays one line. */
    public static String summarize(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.matches("^(mke2fs|e2fsck|resize2fs|tune2fs|debugfs|e2undo) \\d.*")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(t);
            if (sb.length() > 600) {
                sb.setLength(600);
                sb.append("...");
                break;
            }
        }
        return sb.length() == 0 ? "(no output)" : sb.toString();
    }

    public record Result(int exitCode, String stdout, String stderr) {}
}

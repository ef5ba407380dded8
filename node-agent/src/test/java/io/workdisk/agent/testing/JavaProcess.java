package io.workdisk.agent.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A workdisk program (the agent CLI by default, or the operator) as a separate JVM, so a test can kill it
 * (and every tool it started) with SIGKILL at a moment of its choosing, as a node crash or an OOM kill
 * would, and read how much memory it used.
 */
public final class JavaProcess {
    private final Process process;

    private JavaProcess(Process process) {
        this.process = process;
    }

    public static JavaProcess start(Map<String, String> env, Path log, String... args) throws IOException {
        return start(List.of(), env, log, args);
    }

    public static JavaProcess start(List<String> jvmOptions, Map<String, String> env, Path log, String... args)
            throws IOException {
        return startMain(
                "io.workdisk.agent.cli.AgentCli", List.of("-XX:TieredStopAtLevel=1"), jvmOptions, env, log, args);
    }

    /** {@code mainClass} from this test's class path, with {@code jvmOptions} after the defaults. */
    public static JavaProcess startMain(
            String mainClass,
            List<String> defaults,
            List<String> jvmOptions,
            Map<String, String> env,
            Path log,
            String... args)
            throws IOException {
        return startMain(mainClass, System.getProperty("java.class.path"), defaults, jvmOptions, env, log, args);
    }

    /** {@code mainClass} from {@code classPath}. */
    public static JavaProcess startMain(
            String mainClass,
            String classPath,
            List<String> defaults,
            List<String> jvmOptions,
            Map<String, String> env,
            Path log,
            String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(defaults);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath, mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process process = pb.start();
        // whatever happens to the test, the process does not outlive the test JVM
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }));
        return new JavaProcess(process);
    }

    public long pid() {
        return process.pid();
    }

    /** The most resident memory the process has had so far (VmHWM), in KiB; -1 once it is gone. */
    public long peakResidentKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time the JVM itself has used so far (not the tools it ran), in seconds. */
    public double cpuSeconds() {
        return process.toHandle()
                .info()
                .totalCpuDuration()
                .map(d -> d.toNanos() / 1e9)
                .orElse(-1.0);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL to the JVM and every tool below it at once: nothing gets to clean up. */
    public void killHard() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(0, process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public int waitFor() throws InterruptedException {
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            killHard();
            throw new AssertionError("agent CLI did not finish");
        }
        return process.exitValue();
    }

    /**
     * A tools directory holding links to every real e2fsprogs and coreutils binary, where a test can put
     * a wrapper in front of one of them.
     */
    public static Path toolsDirWith(Path dir, String tool, String script) throws IOException {
        Files.createDirectories(dir);
        for (String t : List.of(
                "mkfs.ext4",
                "mke2fs",
                "debugfs",
                "e2fsck",
                "tune2fs",
                "resize2fs",
                "e2undo",
                "dumpe2fs",
                "cp",
                "stat",
                "fallocate")) {
            if (t.equals(tool)) {
                continue;
            }
            Path real = which(t);
            Files.createSymbolicLink(dir.resolve(t), real);
        }
        Path wrapper = dir.resolve(tool);
        Files.writeString(wrapper, "#!/bin/sh\nREAL='" + which(tool) + "'\n" + script);
        wrapper.toFile().setExecutable(true);
        return dir;
    }

    public static Path which(String tool) {
        for (String d : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(tool + " is not installed");
    }
}

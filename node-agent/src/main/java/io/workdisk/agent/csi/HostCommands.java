package io.workdisk.agent.csi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the util-linux tools the node service needs (losetup, mount, umount): an argument array, never a
 * shell, a C locale, a timeout, and the tool's stderr in the error.
 */
final class HostCommands {
    private static final List<Path> DIRS =
            List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"));
    private final Duration timeout;

    HostCommands(Duration timeout) {
        this.timeout = timeout;
    }

    static HostCommands standard() {
        return new HostCommands(Duration.ofMinutes(2));
    }

    /** Runs {@code tool args...}; its standard output, or an exception naming the tool and its stderr. */
    String run(String tool, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(locate(tool));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> stdout = read(process.getInputStream());
        CompletableFuture<String> stderr = read(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(tool + " did not finish within " + timeout.toSeconds() + " s");
            }
            int exit = process.exitValue();
            if (exit != 0) {
                throw new IOException(tool + " " + String.join(" ", args) + " failed (exit " + exit + "): "
                        + stderr.join().strip());
            }
            return stdout.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(tool + " interrupted", e);
        }
    }

    private static String locate(String tool) throws IOException {
        for (Path dir : DIRS) {
            Path candidate = dir.resolve(tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IOException(tool + " is not installed (util-linux)");
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}

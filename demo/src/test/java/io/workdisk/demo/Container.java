package io.workdisk.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.workdisk.agent.testing.Shell;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A container of an {@link OciImage}, run by runc (the OCI runtime containerd and CRI-O use) from the
 * runtime config umoci derived from the image: its entrypoint, user and environment, with what a pod spec
 * adds on top (args, env, mounts, a read-only root, capabilities). The one thing a cluster gives that this
 * does not is a pod network: containers share the host's, which is how they reach the test's API server.
 */
final class Container implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Capabilities by number (linux/capability.h), so the test process's bounding set can be read. */
    private static final List<String> CAPABILITIES = List.of(
            "CHOWN",
            "DAC_OVERRIDE",
            "DAC_READ_SEARCH",
            "FOWNER",
            "FSETID",
            "KILL",
            "SETGID",
            "SETUID",
            "SETPCAP",
            "LINUX_IMMUTABLE",
            "NET_BIND_SERVICE",
            "NET_BROADCAST",
            "NET_ADMIN",
            "NET_RAW",
            "IPC_LOCK",
            "IPC_OWNER",
            "SYS_MODULE",
            "SYS_RAWIO",
            "SYS_CHROOT",
            "SYS_PTRACE",
            "SYS_PACCT",
            "SYS_ADMIN",
            "SYS_BOOT",
            "SYS_NICE",
            "SYS_RESOURCE",
            "SYS_TIME",
            "SYS_TTY_CONFIG",
            "MKNOD",
            "LEASE",
            "AUDIT_WRITE",
            "AUDIT_CONTROL",
            "SETFCAP",
            "MAC_OVERRIDE",
            "MAC_ADMIN",
            "SYSLOG",
            "WAKE_ALARM",
            "BLOCK_SUSPEND",
            "AUDIT_READ",
            "PERFMON",
            "BPF",
            "CHECKPOINT_RESTORE");

    private final OciImage image;
    private final Path dir;
    private final ObjectNode config;
    private final String id = "workdisk-test-" + UUID.randomUUID().toString().substring(0, 8);
    private Process process;

    Container(OciImage image, Path dir) throws IOException {
        this.image = image;
        this.dir = Files.createDirectories(dir);
        this.config = (ObjectNode) image.runtimeConfig();
        config.withObjectProperty("root").put("path", image.rootfs().toString());
        config.withObjectProperty("process").put("terminal", false);
        ArrayNode namespaces = (ArrayNode) config.withObjectProperty("linux").withArrayProperty("namespaces");
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            if (namespaces.get(i).path("type").asText().equals("network")) {
                namespaces.remove(i);
            }
        }
    }

    /** Pod spec {@code args}: the image's entrypoint stays, its command is replaced. */
    Container args(List<String> args) {
        List<String> all = new ArrayList<>(image.entrypoint());
        all.addAll(args);
        return command(all);
    }

    /** Pod spec {@code command} (and args): the whole command line, entrypoint included. */
    Container command(List<String> command) {
        ArrayNode a = config.withObjectProperty("process").putArray("args");
        command.forEach(a::add);
        return this;
    }

    Container env(String name, String value) {
        ArrayNode env = config.withObjectProperty("process").withArrayProperty("env");
        for (int i = env.size() - 1; i >= 0; i--) {
            if (env.get(i).asText().startsWith(name + "=")) {
                env.remove(i);
            }
        }
        env.add(name + "=" + value);
        return this;
    }

    /** A host directory or file at {@code target} (a hostPath volume). */
    Container mount(Path source, String target, boolean readOnly) {
        ObjectNode m = config.withArrayProperty("mounts").addObject();
        m.put("destination", target)
                .put("type", "bind")
                .put("source", source.toAbsolutePath().toString());
        m.putArray("options").add("rbind").add(readOnly ? "ro" : "rw");
        return this;
    }

    /** securityContext.readOnlyRootFilesystem. */
    Container readOnlyRoot() {
        config.withObjectProperty("root").put("readonly", true);
        return this;
    }

    /** securityContext.capabilities.drop: [ALL]. */
    Container dropAllCapabilities() {
        ObjectNode caps = config.withObjectProperty("process").withObjectProperty("capabilities");
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            caps.putArray(set);
        }
        return this;
    }

    /**
     * securityContext.privileged, as far as capabilities go: every one this test process may hand on (a
     * sandboxed CI machine may lack some; runc refuses to grant what it does not have).
     */
    Container privileged() throws IOException {
        long bounding = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapBnd:"))
                .map(l -> Long.parseUnsignedLong(l.substring("CapBnd:".length()).strip(), 16))
                .findFirst()
                .orElse(0L);
        ObjectNode caps = config.withObjectProperty("process").withObjectProperty("capabilities");
        for (String set : List.of("bounding", "effective", "inheritable", "permitted")) {
            ArrayNode a = caps.putArray(set);
            for (int cap = 0; cap < CAPABILITIES.size(); cap++) {
                if ((bounding & (1L << cap)) != 0) {
                    a.add("CAP_" + CAPABILITIES.get(cap));
                }
            }
        }
        caps.putArray("ambient");
        config.withObjectProperty("process").put("noNewPrivileges", false);
        return this;
    }

    /** The user the image's config made the process run as, "uid:gid". */
    String user() {
        return config.path("process").path("user").path("uid").asText() + ":"
                + config.path("process").path("user").path("gid").asText();
    }

    /** Starts the container; its output goes to {@code log}. */
    Container start(Path log) throws IOException {
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("config.json").toFile(), config);
        ProcessBuilder pb = new ProcessBuilder("runc", "run", "--bundle", dir.toString(), id);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        process = pb.start();
        // whatever happens to the test, the container does not outlive the test JVM
        Runtime.getRuntime().addShutdownHook(new Thread(this::delete));
        return this;
    }

    /** Runs the container to its end: its exit code. */
    int run(Path log) throws IOException, InterruptedException {
        start(log);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            close();
            throw new AssertionError("container " + config.path("process").path("args") + " did not finish");
        }
        delete();
        return process.exitValue();
    }

    /** CPU time the container's processes have used so far (its cgroup's, as {@code runc events --stats} reads it). */
    double cpuSeconds() throws IOException {
        Shell.Result r = Shell.run(List.of("runc", "events", "--stats", id));
        if (r.exitCode() != 0) {
            throw new IOException("runc events --stats " + id + ": " + r.stderr());
        }
        return JSON.readTree(r.stdout())
                        .path("data")
                        .path("cpu")
                        .path("usage")
                        .path("total")
                        .asLong()
                / 1e9;
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void delete() {
        Shell.run(List.of("runc", "delete", "--force", id));
    }

    /** Kills the container (SIGKILL to everything in it, as a pod deletion past its grace period). */
    @Override
    public void close() throws InterruptedException {
        delete();
        if (process != null) {
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}

package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.workdisk.agent.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One real Kubernetes node on this machine: {@code ../shared/kubelet}'s kubelet v1.32 with containerd, started by
 * its {@code start-node.sh} against the suite's API server and stopped (Node object and directory removed) by
 * {@code stop-node.sh --clean}; and the {@code csi-node-driver-registrar} that registers a CSI node plugin's
 * socket with it. Pods bound to it really run, from the locally imported {@link #busyboxImage() busybox}.
 *
 * <p>The kubelet serves on a fixed port, so there is one such node per machine at a time: a test class starts it
 * once for all its cases.
 */
final class KubeletNode implements AutoCloseable {
    /** start-node.sh installs Debian's containerd when missing and waits for the Node to be Ready. */
    private static final long START_SECONDS = 300;

    private final String name;
    private final Path root;
    private final Path kubeconfig;
    private final Path kubectl;
    private final Path logs;
    private final String busybox;
    private final List<Process> registrars = new ArrayList<>();

    private KubeletNode(String name, Path root, Path kubeconfig, Path kubectl, Path logs, String busybox) {
        this.name = name;
        this.root = root;
        this.kubeconfig = kubeconfig;
        this.kubectl = kubectl;
        this.logs = logs;
        this.busybox = busybox;
    }

    /**
     * Starts node {@code name} against the cluster of the admin {@code kubeconfig}; {@code logs} takes the
     * scripts' output. A machine that cannot run a kubelet (no root, no containerd to be had, cgroups refused)
     * stops the test here through {@link Requirements}, with start-node.sh's last words.
     */
    static KubeletNode start(String name, Path kubeconfig, Path logs) throws IOException, InterruptedException {
        Requirements.root("a real kubelet (containerd, runc, mounts)");
        Path startNode = SharedTools.require("kubelet", "start-node.sh");
        Path kubectl = Kubectl.find()
                .orElseThrow(() ->
                        new AssertionError("kubectl not found (bash .ci/run fetches it); start-node.sh needs it"));
        Files.createDirectories(logs);
        KubeletNode node = new KubeletNode(
                name,
                Path.of("/tmp/kubelet", name, "root"),
                kubeconfig,
                kubectl,
                logs,
                Files.readString(startNode.resolveSibling("images/busybox.ref")).strip());
        // what an earlier run that was killed may have left (the scripts are idempotent): start afresh
        node.script("stop-node.sh", "--clean");
        int exit = node.script("start-node.sh");
        if (exit != 0) {
            node.script("stop-node.sh", "--clean");
            Requirements.need(
                    false,
                    "no kubelet node could be started here (start-node.sh exited " + exit + "): "
                            + lastLines(logs.resolve("start-node.sh.log"), 8));
        }
        return node;
    }

    String name() {
        return name;
    }

    /** The kubelet's root directory ({@code --root-dir}): pods' volumes and plugin sockets live under it. */
    Path root() {
        return root;
    }

    /** Where a CSI node plugin named {@code driver} serves, for the kubelet to find through the registrar. */
    Path pluginSocket(String driver) {
        return root.resolve("plugins").resolve(driver).resolve("csi.sock");
    }

    /** The image pods here run: imported by start-node.sh, used with {@code imagePullPolicy: Never}. */
    String busyboxImage() {
        return busybox;
    }

    /** The kubelet's own log, for the failure message of a pod that did not come up. */
    Path kubeletLog() {
        return Path.of("/tmp/kubelet", name, "logs", "kubelet.log");
    }

    /**
     * Runs csi-node-driver-registrar for the plugin at {@link #pluginSocket(String) its socket} until the kubelet
     * has registered it ({@code registered}: it then calls the plugin's NodeGetInfo and writes the CSINode and the
     * Node's topology label). A registrar that exits (it gives the plugin one second to answer, which a loaded
     * machine may miss) is started again, as the kubelet restarts the sidecar's container.
     */
    void register(String driver, BooleanSupplier registered, Duration within) throws IOException {
        registrar(driver);
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(300)).until(() -> {
                Process last = registrars.get(registrars.size() - 1);
                if (!last.isAlive()) {
                    registrar(driver);
                }
                return registered.getAsBoolean();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the kubelet did not register " + driver + " within " + within + ": "
                    + lastLines(logs.resolve("csi-node-driver-registrar.log"), 8));
        }
    }

    private Process registrar(String driver) throws IOException {
        Path socket = pluginSocket(driver);
        Process registrar = new ProcessBuilder(
                        SharedTools.require("kubelet", "csi-node-driver-registrar")
                                .toString(),
                        "--csi-address=" + socket,
                        "--kubelet-registration-path=" + socket,
                        "--plugin-registration-path=" + root.resolve("plugins_registry"),
                        "--v=2")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        logs.resolve("csi-node-driver-registrar.log").toFile()))
                .start();
        registrars.add(registrar);
        return registrar;
    }

    /** Stops the registrar, then the kubelet and containerd, and removes the Node object and the node's directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (Process registrar : registrars) {
            registrar.destroy();
            if (!registrar.waitFor(10, TimeUnit.SECONDS)) {
                registrar.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        registrars.clear();
        // stop-node.sh --clean removes the node's directory: its logs are kept beside the test's
        for (String log : List.of("kubelet.log", "containerd.log")) {
            Path from = Path.of("/tmp/kubelet", name, "logs", log);
            if (Files.exists(from)) {
                Files.copy(from, logs.resolve(log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        int exit = script("stop-node.sh", "--clean");
        if (exit != 0) {
            throw new AssertionError(
                    "stop-node.sh " + name + " exited " + exit + ": " + lastLines(logs.resolve("stop-node.sh.log"), 8));
        }
    }

    private int script(String script, String... more) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                SharedTools.require("kubelet", script).toString(), name, "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(more));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        logs.resolve(script + ".log").toFile()));
        builder.environment().putAll(Map.of("KUBECTL", kubectl.toString()));
        Process process = builder.start();
        if (!process.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    private static String lastLines(Path log, int count) throws IOException {
        if (!Files.exists(log)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }
}

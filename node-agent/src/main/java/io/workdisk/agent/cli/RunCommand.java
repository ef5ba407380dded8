package io.workdisk.agent.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.agent.csi.CsiNode;
import io.workdisk.agent.csi.cluster.DisksFromTasks;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.api.ApiClients;
import io.workdisk.api.node.WorkNode;
import io.workdisk.observability.LogFormat;
import io.workdisk.observability.UntilStopped;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code workdisk agent run}: the node agent against the cluster in KUBECONFIG or the in-cluster config. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run the node agent: carry out this node's WorkTasks and keep its WorkNode record.")
final class RunCommand implements Callable<Integer> {
    @Option(
            names = "--node",
            defaultValue = "${env:NODE_NAME}",
            paramLabel = "NAME",
            description = "This node's name (default: $NODE_NAME).")
    String node;

    @Option(
            names = "--root",
            required = true,
            paramLabel = "DIR",
            description = "Data root: disks, seeds and downloads live here.")
    Path root;

    @Option(
            names = "--image-dir",
            paramLabel = "DIR",
            description = "A directory WorkSeed hostPath images may be read from (repeatable).")
    List<Path> imageDirs = new ArrayList<>();

    @Option(
            names = "--registry-config",
            paramLabel = "FILE",
            description = "A docker config.json whose auths give the credentials for pulling WorkSeed images "
                    + "(default: anonymous).")
    Path registryConfig;

    @Option(
            names = "--ca-file",
            paramLabel = "FILE",
            description = "A PEM bundle of CA certificates trusted for registries, besides the system's.")
    Path caFile;

    @Option(
            names = "--capacity",
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            description = "Offer at most this much for disks (default: the data root filesystem's size).")
    Long capacity;

    @Option(
            names = "--layer-cache-size",
            paramLabel = "SIZE",
            defaultValue = "20Gi",
            converter = SizeConverter.class,
            description = "Keep at most this much of container images' layers under the data root, least"
                    + " recently used going first (default: ${DEFAULT-VALUE}).")
    long layerCacheBytes;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            description = "Tasks run at once (default: the number of cores).")
    Integer concurrency;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            defaultValue = "8081",
            description = "Port for /metrics, /healthz and /readyz; -1 for none (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            defaultValue = "${env:WORKDISK_LOG_FORMAT:-text}",
            description = "text (default) or json: one JSON object per line.")
    String logFormat;

    @Option(
            names = "--heartbeat",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "Seconds between node record updates (default: ${DEFAULT-VALUE}).")
    int heartbeatSeconds;

    @Option(
            names = "--report-running-after",
            paramLabel = "SECONDS",
            defaultValue = "2",
            description = "Mark a task Running once its step has run this long; 0: every task, before it starts"
                    + " (default: ${DEFAULT-VALUE}).")
    double reportRunningAfterSeconds;

    @Option(
            names = "--csi-socket",
            paramLabel = "PATH",
            description = "Serve the workdisk.io CSI node service on this Unix socket, e.g."
                    + " /var/lib/kubelet/plugins/workdisk.io/csi.sock (default: none).")
    Path csiSocket;

    @Option(
            names = "--kubelet-dir",
            paramLabel = "DIR",
            defaultValue = "/var/lib/kubelet",
            description = "The kubelet's directory: the CSI node service publishes only inside it"
                    + " (default: ${DEFAULT-VALUE}).")
    Path kubeletDir;

    @Override
    public Integer call() throws Exception {
        LogFormat.use(logFormat);
        if (node == null || node.isBlank()) {
            System.err.println("workdisk: --node is required (or set NODE_NAME)");
            return 2;
        }
        for (Path file : new Path[] {registryConfig, caFile}) {
            if (file != null && !Files.isReadable(file)) {
                System.err.println("workdisk: cannot read " + file);
                return 2;
            }
        }
        if (!(reportRunningAfterSeconds >= 0)) {
            System.err.println(
                    "workdisk: --report-running-after must be 0 or more seconds, not " + reportRunningAfterSeconds);
            return 2;
        }
        if (csiSocket != null && !Files.isDirectory(kubeletDir)) {
            System.err.println("workdisk: --kubelet-dir " + kubeletDir + " is not a directory");
            return 2;
        }
        int threads = concurrency != null ? concurrency : Runtime.getRuntime().availableProcessors();
        KubernetesClient client = ApiClients.connect();
        String unreachable = unreachable(client);
        if (unreachable != null) {
            System.err.println("workdisk: " + unreachable);
            client.close();
            return 1;
        }
        NodeAgent agent;
        try {
            agent = NodeAgent.start(
                    client,
                    new NodeAgent.Settings(
                            node,
                            root.toAbsolutePath(),
                            imageDirs,
                            capacity,
                            threads,
                            Duration.ofSeconds(heartbeatSeconds),
                            metricsPort < 0 ? null : metricsPort,
                            true,
                            Duration.ofMillis(Math.round(reportRunningAfterSeconds * 1000))),
                    E2fsTools.fromEnvironment(),
                    Clock.systemUTC(),
                    ImageSeeds.fromRegistries(
                            new ImageSeeds.RegistryAccess(registryConfig, caFile), layerCacheBytes, Clock.systemUTC()));
        } catch (EngineException e) {
            System.err.println("workdisk: " + e.getMessage());
            return 1;
        }
        if (csiSocket == null) {
            UntilStopped.await(agent, client);
            return 0;
        }
        CsiNode csi = CsiNode.start(
                CsiNode.Settings.of(node, csiSocket, kubeletDir, root.toAbsolutePath(), NodeAgent.VERSION),
                new DisksFromTasks(client, node, root.toAbsolutePath()),
                Clock.systemUTC(),
                agent::reportSoon);
        UntilStopped.await(csi, agent, client);
        return 0;
    }

    /**
     * Why the API server cannot be used, or null: one request the agent may make (its node's record) before
     * anything starts, so that a missing kubeconfig or a server that is down is one line, not the stack
     * traces of every informer giving up. A refusal (403) is not this check's business: the writes that
     * follow say what is not allowed.
     */
    private String unreachable(KubernetesClient client) {
        try {
            client.resources(WorkNode.class).withName(node).get();
            return null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                return null;
            }
            // the client's own message names its request; the innermost cause says what went wrong
            String why = "no answer";
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ConnectException) {
                    why = "connection refused"; // the JDK's HTTP client gives it no message
                } else if (cause instanceof UnknownHostException) {
                    why = "unknown host " + cause.getMessage();
                } else if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                    why = cause.getMessage();
                }
            }
            if (e.getCode() > 0) {
                why = "it answered " + e.getCode()
                        + (e.getStatus() != null ? " " + e.getStatus().getMessage() : "");
            }
            return "cannot use the Kubernetes API at " + client.getMasterUrl()
                    + " (set KUBECONFIG or run in a cluster): " + why;
        }
    }
}

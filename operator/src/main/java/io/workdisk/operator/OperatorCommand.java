package io.workdisk.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.ApiClients;
import io.workdisk.observability.LogFormat;
import io.workdisk.observability.UntilStopped;
import io.workdisk.operator.csi.CsiController;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code workdisk operator}: runs the reconcilers against the cluster in KUBECONFIG or in-cluster config. */
@Command(
        name = "workdisk operator",
        mixinStandardHelpOptions = true,
        version = "workdisk-operator 0.1.0",
        description = "Run the WorkDisk and WorkSeed operator.")
public final class OperatorCommand implements Callable<Integer> {
    @Option(
            names = "--namespace",
            defaultValue = "${env:POD_NAMESPACE:-workdisk-system}",
            paramLabel = "NS",
            description =
                    "Namespace for WorkSeed tasks and cluster-level events (default: $POD_NAMESPACE or ${DEFAULT-VALUE}).")
    String namespace;

    @Option(
            names = "--overcommit",
            defaultValue = "1.0",
            paramLabel = "RATIO",
            description = "Place disks while allocated + size <= capacity x RATIO (default: ${DEFAULT-VALUE}).")
    double overcommit;

    @Option(
            names = "--node-grace",
            defaultValue = "60",
            paramLabel = "SECONDS",
            description = "An agent silent this long is gone (default: ${DEFAULT-VALUE}).")
    int nodeGraceSeconds;

    @Option(
            names = "--leader-election",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Hold a Lease so only one replica reconciles (default: on; --no-leader-election for a single local run).")
    boolean leaderElection;

    @Option(
            names = "--metrics-port",
            defaultValue = "8080",
            paramLabel = "PORT",
            description = "Port for /metrics, /healthz and /readyz; -1 for none (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            defaultValue = "${env:WORKDISK_LOG_FORMAT:-text}",
            description = "text (default) or json: one JSON object per line.")
    String logFormat;

    @Option(
            names = "--threads",
            defaultValue = "50",
            paramLabel = "N",
            description =
                    "Reconciler threads (default: ${DEFAULT-VALUE}). A reconcile spends most of its time waiting"
                            + " on the API server's writes; with 10, a burst of a thousand WorkDisks queued placement for minutes.")
    int threads;

    @Option(
            names = "--csi-socket",
            paramLabel = "PATH",
            description = "Serve the workdisk.io CSI controller service on this Unix socket, for csi-provisioner"
                    + " and csi-resizer beside the operator (default: none).")
    Path csiSocket;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OperatorCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LogFormat.use(logFormat);
        KubernetesClient client = ApiClients.connect();
        WorkdiskOperator.Settings settings = new WorkdiskOperator.Settings(
                        namespace,
                        overcommit,
                        Duration.ofSeconds(nodeGraceSeconds),
                        Duration.ofSeconds(nodeGraceSeconds),
                        threads)
                .withMetricsPort(metricsPort < 0 ? null : metricsPort)
                .exitingOnFatalError();
        if (leaderElection) {
            String pod = System.getenv("POD_NAME");
            settings = settings.withLeadership(WorkdiskOperator.Leadership.standard(
                    (pod != null ? pod : InetAddress.getLocalHost().getHostName()) + "-" + UUID.randomUUID()));
        }
        WorkdiskOperator operator;
        try {
            operator = WorkdiskOperator.start(client, settings, Clock.systemUTC());
        } catch (IllegalStateException e) {
            System.err.println("workdisk: " + e.getMessage());
            client.close();
            return 2;
        }
        if (csiSocket == null) {
            UntilStopped.await(operator, client);
            return 0;
        }
        CsiController csi = CsiController.start(client, csiSocket, "0.1.0", CsiController.DEFAULT_WAIT);
        UntilStopped.await(csi, operator, client);
        return 0;
    }
}

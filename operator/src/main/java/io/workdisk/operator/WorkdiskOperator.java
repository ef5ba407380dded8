package io.workdisk.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.workdisk.operator.node.NodeDirectory;
import io.workdisk.operator.status.EventRecorder;
import io.workdisk.operator.task.Tasks;
import io.workdisk.operator.workdisk.DiskPlanner;
import io.workdisk.operator.workdisk.Placement;
import io.workdisk.operator.workdisk.WorkDiskReconciler;
import io.workdisk.operator.workseed.SeedPlanner;
import io.workdisk.operator.workseed.WorkSeedReconciler;
import java.time.Clock;
import java.time.Duration;

/**
 * The operator: the WorkDisk and WorkSeed reconcilers on one JOSDK Operator. Status is written whole with
 * optimistic locking (PUT /status carrying the observed resourceVersion), never server-side apply, in
 * production as in tests. JSON merge patch was the first choice, but the Fabric8 mock server merges
 * arrays in a merge patch where a real API server replaces them, which made conditions pile up.
 */
public final class WorkdiskOperator implements AutoCloseable {

    /** How the operator is set up. {@code leadership} null: no leader election (one replica only). */
    public record Settings(String namespace, double overcommit, Duration nodeGrace, Duration readyCheck, int threads,
            Leadership leadership) {
        public Settings(String namespace, double overcommit, Duration nodeGrace, Duration readyCheck, int threads) {
            this(namespace, overcommit, nodeGrace, readyCheck, threads, null);
        }

        public Settings withLeadership(Leadership l) {
            return new Settings(namespace, overcommit, nodeGrace, readyCheck, threads, l);
        }
    }

    /**
     * Leader election on a Lease, so several replicas are safe: only the holder reconciles. In production a
     * replica that loses the lease exits and is restarted by its Deployment (its in-memory placement
     * reservations must not outlive its leadership); in-process replicas (tests) just stop.
     */
    public record Leadership(String leaseName, String identity, Duration leaseDuration, Duration renewDeadline,
            Duration retryPeriod, boolean exitOnLoss) {
        public static Leadership standard(String identity) {
            return new Leadership("workdisk-operator", identity, Duration.ofSeconds(15), Duration.ofSeconds(10),
                    Duration.ofSeconds(2), true);
        }
    }

    private final Operator operator;

    private WorkdiskOperator(Operator operator) {
        this.operator = operator;
    }

    public static WorkdiskOperator start(KubernetesClient client, Settings settings, Clock clock) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false)
                    .withConcurrentReconciliationThreads(settings.threads());
            Leadership l = settings.leadership();
            if (l != null) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(l.leaseName(), settings.namespace(),
                        l.leaseDuration(), l.renewDeadline(), l.retryPeriod(), l.identity(), null, l.exitOnLoss()));
            }
        });
        Tasks tasks = new Tasks(client);
        NodeDirectory nodes = new NodeDirectory(clock, settings.nodeGrace());
        EventRecorder events = new EventRecorder(client, clock, settings.namespace());
        Placement placement = new Placement(settings.overcommit());
        operator.register(new WorkDiskReconciler(tasks, new DiskPlanner(placement, settings.readyCheck()), nodes,
                placement, events, clock), c -> c.watchingAllNamespaces());
        operator.register(new WorkSeedReconciler(tasks, new SeedPlanner(settings.namespace()), nodes, events, clock,
                settings.namespace()));
        operator.start();
        return new WorkdiskOperator(operator);
    }

    @Override
    public void close() {
        operator.stop();
    }
}

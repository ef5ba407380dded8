package io.workdisk.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.workdisk.api.WithoutManagedFields;
import io.workdisk.observability.HealthServer;
import io.workdisk.operator.claim.Claims;
import io.workdisk.operator.node.NodeDirectory;
import io.workdisk.operator.status.EventRecorder;
import io.workdisk.operator.task.Tasks;
import io.workdisk.operator.workdisk.DiskPlanner;
import io.workdisk.operator.workdisk.Placement;
import io.workdisk.operator.workdisk.Reservations;
import io.workdisk.operator.workdisk.SizeMemo;
import io.workdisk.operator.workdisk.WorkDiskReconciler;
import io.workdisk.operator.workseed.SeedPlanner;
import io.workdisk.operator.workseed.WorkSeedReconciler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator: the WorkDisk and WorkSeed reconcilers on one JOSDK Operator. Status is written whole with
 * optimistic locking (PUT /status carrying the observed resourceVersion), never server-side apply, in
 * production as in tests. JSON merge patch was the first choice, but the Fabric8 mock server merges
 * arrays in a merge patch where a real API server replaces them, which made conditions pile up.
 */
public final class WorkdiskOperator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkdiskOperator.class);

    /**
     * How the operator is set up. {@code leadership} null: no leader election (one replica only).
     * {@code exitOnFatalError}: an informer that stops for good after it started (its watch refused, say)
     * ends the process, for its Deployment to restart; otherwise (an operator inside another program: the
     * demo, tests) it is logged and the program goes on.
     */
    public record Settings(
            String namespace,
            double overcommit,
            Duration nodeGrace,
            Duration readyCheck,
            int threads,
            Leadership leadership,
            Integer metricsPort,
            boolean exitOnFatalError) {
        public Settings(String namespace, double overcommit, Duration nodeGrace, Duration readyCheck, int threads) {
            this(namespace, overcommit, nodeGrace, readyCheck, threads, null, null, false);
        }

        public Settings withLeadership(Leadership l) {
            return new Settings(
                    namespace, overcommit, nodeGrace, readyCheck, threads, l, metricsPort, exitOnFatalError);
        }

        /** Serve /metrics, /healthz and /readyz on this port (0: any free one). */
        public Settings withMetricsPort(Integer port) {
            return new Settings(
                    namespace, overcommit, nodeGrace, readyCheck, threads, leadership, port, exitOnFatalError);
        }

        /** The operator owns its process: a fatal error ends it. */
        public Settings exitingOnFatalError() {
            return new Settings(namespace, overcommit, nodeGrace, readyCheck, threads, leadership, metricsPort, true);
        }
    }

    /**
     * Leader election on a Lease, so several replicas are safe: only the holder reconciles. In production a
     * replica that loses the lease exits and is restarted by its Deployment (its in-memory placement
     * reservations must not outlive its leadership); in-process replicas (tests) just stop.
     */
    public record Leadership(
            String leaseName,
            String identity,
            Duration leaseDuration,
            Duration renewDeadline,
            Duration retryPeriod,
            boolean exitOnLoss) {
        public static Leadership standard(String identity) {
            return new Leadership(
                    "workdisk-operator",
                    identity,
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(2),
                    true);
        }
    }

    private final Operator operator;
    private final HealthServer health;
    private final AtomicBoolean stopping;

    private WorkdiskOperator(Operator operator, HealthServer health, AtomicBoolean stopping) {
        this.operator = operator;
        this.health = health;
        this.stopping = stopping;
    }

    public static WorkdiskOperator start(KubernetesClient client, Settings settings, Clock clock) {
        requireNamespace(client, settings.namespace());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicBoolean stopping = new AtomicBoolean();
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false)
                    .withConcurrentReconciliationThreads(settings.threads());
            if (!settings.exitOnFatalError()) {
                // JOSDK's own handler calls System.exit, which would end the program the operator runs in
                o.withInformerStoppedHandler((informer, cause) -> {
                    if (cause != null) {
                        log.error("an informer stopped for good, the operator is not ready: {}", cause.getMessage());
                    }
                });
            }
            Leadership l = settings.leadership();
            if (l != null) {
                // Losing the lease ends the process, but not while it is already stopping: JOSDK's own exit
                // would run inside the shutdown hook and block it.
                LeaderCallbacks onLoss = new LeaderCallbacks(
                        () -> {},
                        () -> {
                            if (l.exitOnLoss() && !stopping.get()) {
                                new Thread(() -> System.exit(1), "workdisk-lost-lease").start();
                            }
                        },
                        leader -> {});
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
                        l.leaseName(),
                        settings.namespace(),
                        l.leaseDuration(),
                        l.renewDeadline(),
                        l.retryPeriod(),
                        l.identity(),
                        onLoss,
                        false));
            }
        });
        Tasks tasks = new Tasks(client);
        NodeDirectory nodes = new NodeDirectory(clock, settings.nodeGrace());
        EventRecorder events = new EventRecorder(client, clock);
        SizeMemo sizes = new SizeMemo();
        operator.register(
                new WorkDiskReconciler(
                        tasks,
                        new DiskPlanner(new Placement(settings.overcommit()), settings.readyCheck(), sizes),
                        nodes,
                        new Reservations(),
                        sizes,
                        events,
                        new Claims(client),
                        clock),
                c -> c.watchingAllNamespaces()
                        .withRetry(retryingUntilItWorks())
                        .withItemStore(new WithoutManagedFields<>()));
        operator.register(
                new WorkSeedReconciler(
                        tasks, new SeedPlanner(settings.namespace()), nodes, events, clock, settings.namespace()),
                c -> c.withRetry(retryingUntilItWorks()).withItemStore(new WithoutManagedFields<>()));
        operator.start();
        HealthServer health = null;
        if (settings.metricsPort() != null) {
            try {
                health = HealthServer.start("0.0.0.0", settings.metricsPort(), registry, () -> {
                    RuntimeInfo info = operator.getRuntimeInfo();
                    if (!info.isStarted()) {
                        return new HealthServer.Readiness(false, "starting");
                    }
                    return info.allEventSourcesAreHealthy()
                            ? HealthServer.Readiness.yes()
                            : new HealthServer.Readiness(
                                    false,
                                    "unhealthy informers: "
                                            + info.unhealthyEventSources().keySet());
                });
            } catch (IOException e) {
                stopping.set(true);
                operator.stop();
                throw new UncheckedIOException("cannot open the metrics port " + settings.metricsPort(), e);
            }
        }
        return new WorkdiskOperator(operator, health, stopping);
    }

    /**
     * A failed reconcile (API server failing, a write refused) is tried again 1 s later, then twice as long
     * after each failure up to 20 s apart, for as long as it fails. JOSDK's default gives up after five
     * retries, about 26 s, and then waits for the object's next event or the ten-hour resync: a disk whose
     * last event came during a longer outage stayed Creating.
     */
    static GenericRetry retryingUntilItWorks() {
        return new GenericRetry()
                .setInitialInterval(1_000)
                .setIntervalMultiplier(2)
                .setMaxInterval(20_000)
                .withoutMaxAttempts();
    }

    /** WorkSeed tasks, events and the Lease go there; a missing namespace would fail them one by one later. */
    private static void requireNamespace(KubernetesClient client, String namespace) {
        boolean missing;
        try {
            missing = client.namespaces().withName(namespace).get() == null;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
                throw new IllegalStateException(
                        "cannot use the Kubernetes API at " + client.getMasterUrl()
                                + " (set KUBECONFIG or run in a cluster): " + e.getMessage(),
                        e);
            }
            missing = false; // not allowed to look: let the writes themselves say what is wrong
        }
        if (missing) {
            throw new IllegalStateException(
                    "namespace '" + namespace + "' does not exist; WorkSeed tasks, events and the "
                            + "leader Lease go there. Create it (kubectl create namespace " + namespace
                            + ") or pass --namespace");
        }
    }

    /** The metrics and health port actually bound, or -1. */
    public int metricsPort() {
        return health == null ? -1 : health.port();
    }

    @Override
    public void close() {
        stopping.set(true);
        operator.stop();
        if (health != null) {
            health.close();
        }
    }
}

package io.workdisk.agent.run;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.workdisk.agent.csi.Publications;
import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.StagedOutput;
import io.workdisk.agent.engine.image.LayerReaders;
import io.workdisk.agent.engine.resize.ResizeRecovery;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.node.NodeRecorder;
import io.workdisk.agent.node.NodeSurvey;
import io.workdisk.agent.node.ServerClock;
import io.workdisk.agent.source.Downloader;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.agent.source.RootfsSources;
import io.workdisk.agent.task.DataDirectories;
import io.workdisk.agent.task.DisksInUse;
import io.workdisk.agent.task.TaskExecutor;
import io.workdisk.agent.task.TaskMetrics;
import io.workdisk.agent.task.TaskReconciler;
import io.workdisk.agent.task.TaskWorkers;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.WithoutManagedFields;
import io.workdisk.observability.HealthServer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's agent: repairs what a crash left in its data root, then runs its node's tasks and keeps its
 * node record beating. It opens no port; everything it is told comes from tasks it watches.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    public static final String VERSION = "0.1.0";
    /** Skew the operator can absorb: well inside its default heartbeat grace of 60 s, and NTP keeps nodes far closer. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(5);
    /**
     * A step still running after this long is reported Running. Most take a fraction of a second; one that
     * takes longer (a large preallocated disk, a big seed) shows in {@code kubectl get wt} while it runs.
     */
    public static final Duration REPORT_RUNNING_AFTER = Duration.ofSeconds(2);

    /**
     * How an agent is set up; tests build one per simulated node. {@code exitOnFatalError}: the task
     * informer stopping for good after it started (its watch refused, say) ends the process, for the
     * DaemonSet to restart; otherwise (an agent inside another program: the demo, tests) it is logged and
     * the program goes on.
     */
    public record Settings(
            String nodeName,
            Path dataRoot,
            List<Path> imageDirs,
            Long capacityBytes,
            int concurrency,
            Duration heartbeat,
            Integer metricsPort,
            boolean exitOnFatalError,
            Duration reportRunningAfter) {
        public Settings(
                String nodeName,
                Path dataRoot,
                List<Path> imageDirs,
                Long capacityBytes,
                int concurrency,
                Duration heartbeat,
                Integer metricsPort,
                boolean exitOnFatalError) {
            this(
                    nodeName,
                    dataRoot,
                    imageDirs,
                    capacityBytes,
                    concurrency,
                    heartbeat,
                    metricsPort,
                    exitOnFatalError,
                    REPORT_RUNNING_AFTER);
        }

        /** Report a step Running only once it has run this long (zero: every step, before it starts). */
        public Settings withReportRunningAfter(Duration after) {
            return new Settings(
                    nodeName,
                    dataRoot,
                    imageDirs,
                    capacityBytes,
                    concurrency,
                    heartbeat,
                    metricsPort,
                    exitOnFatalError,
                    after);
        }

        /** Inside another program, without a metrics and health port (in-process agents in tests and the demo). */
        public Settings(
                String nodeName,
                Path dataRoot,
                List<Path> imageDirs,
                Long capacityBytes,
                int concurrency,
                Duration heartbeat) {
            this(nodeName, dataRoot, imageDirs, capacityBytes, concurrency, heartbeat, null, false);
        }

        /** Inside another program. */
        public Settings(
                String nodeName,
                Path dataRoot,
                List<Path> imageDirs,
                Long capacityBytes,
                int concurrency,
                Duration heartbeat,
                Integer metricsPort) {
            this(nodeName, dataRoot, imageDirs, capacityBytes, concurrency, heartbeat, metricsPort, false);
        }
    }

    private final Operator operator;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "workdisk-heartbeat");
        t.setDaemon(true);
        return t;
    });

    private HealthServer health;

    private final TaskWorkers workers;

    private final NodeRecorder recorder;

    /** The node's layer-reading threads, one pool for every image seed the engine builds at once. */
    private final ExecutorService layerReaders;

    private NodeAgent(Operator operator, TaskWorkers workers, NodeRecorder recorder, ExecutorService layerReaders) {
        this.layerReaders = layerReaders;
        this.operator = operator;
        this.workers = workers;
        this.recorder = recorder;
    }

    /**
     * Writes the node's record soon, on the heartbeat's thread, rather than at the next beat: a disk published
     * or unpublished is something the operator waits on before it resizes or deletes the disk.
     */
    public void reportSoon() {
        try {
            heartbeat.execute(recorder::beat);
        } catch (RejectedExecutionException e) {
            // stopping: the record is not written any more
        }
    }

    /** Each publication of an image as one line: who has it, where, and how. */
    static DisksInUse publishedDisks(Publications publications) {
        return image -> publications.ofImage(image).stream()
                .map(p -> (p.pod().name().isEmpty()
                                ? "a pod kubelet did not name"
                                : "pod " + p.pod().namespace() + "/" + p.pod().name())
                        + " (" + p.presentation().parameter() + " at " + p.targetPath() + ")")
                .toList();
    }

    /** An agent that reaches registries anonymously, trusting the JDK's CAs. */
    public static NodeAgent start(KubernetesClient client, Settings settings, E2fsTools tools, Clock clock)
            throws EngineException {
        return start(
                client,
                settings,
                tools,
                clock,
                ImageSeeds.fromRegistries(ImageSeeds.RegistryAccess.none(), ImageSeeds.DEFAULT_CACHE_BYTES, clock));
    }

    /**
     * An agent that builds seeds from container images with what {@code images} makes: the data root
     * repaired, the task workers and the task watch started, the node's record written once and then on
     * every heartbeat.
     */
    public static NodeAgent start(
            KubernetesClient client, Settings settings, E2fsTools tools, Clock clock, ImageSeeds.Maker images)
            throws EngineException {
        DataDirectories directories = DataDirectories.create(settings.dataRoot());
        ExecutorService layerReaders = LayerReaders.pool(Runtime.getRuntime().availableProcessors());
        DiskEngine engine = new DiskEngine(tools, System::nanoTime, SeedMethod.AUTO, clock, layerReaders);
        recover(directories, engine.recovery());
        NodeSurvey survey = survey(directories, tools, settings, engine);
        TaskExecutor executor = new TaskExecutor(
                engine,
                directories,
                new RootfsSources(settings.imageDirs(), Downloader.standard()),
                images.make(engine, directories.layers()),
                disksInUse(directories));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TaskWorkers workers = workers(settings, executor, clock, registry);
        Operator operator = taskWatch(client, settings, workers);
        NodeRecorder recorder = new NodeRecorder(
                client,
                settings.nodeName(),
                survey,
                clock,
                VERSION,
                new ServerClock(client, clock)::skew,
                MAX_CLOCK_SKEW);
        NodeAgent agent = new NodeAgent(operator, workers, recorder, layerReaders);
        agent.health = healthPort(settings, registry, survey);
        agent.begin(settings);
        log.info(
                "agent for node {} started on {}",
                settings.nodeName(),
                directories.root().path());
        return agent;
    }

    /** What the node's record says of its data root, its disks and seeds, and their CSI publications. */
    private static NodeSurvey survey(DataDirectories directories, E2fsTools tools, Settings settings, DiskEngine engine)
            throws EngineException {
        try {
            return new NodeSurvey(directories, tools, settings.capacityBytes(), engine.recovery()::unrecovered);
        } catch (IOException e) {
            throw unreadablePublications(e);
        }
    }

    /** The disks the node's CSI service has published, as the engine asks before it resizes or deletes one. */
    private static DisksInUse disksInUse(DataDirectories directories) throws EngineException {
        try {
            return publishedDisks(Publications.under(directories.root().path()));
        } catch (IOException e) {
            throw unreadablePublications(e);
        }
    }

    private static EngineException unreadablePublications(IOException e) {
        return new EngineException(Problem.IO_ERROR, "cannot read this node's CSI publications: " + ErrorText.of(e), e);
    }

    private static TaskWorkers workers(
            Settings settings, TaskExecutor executor, Clock clock, PrometheusMeterRegistry registry) {
        TaskWorkers workers = TaskWorkers.start(
                settings.concurrency(), executor, clock, new TaskMetrics(registry), settings.reportRunningAfter());
        registry.gauge("workdisk_agent_tasks_waiting", workers, TaskWorkers::waiting);
        registry.gauge("workdisk_agent_tasks_running", workers, TaskWorkers::active);
        return workers;
    }

    /** The JOSDK operator that watches this node's tasks (and no other node's) and hands them to the workers. */
    private static Operator taskWatch(KubernetesClient client, Settings settings, TaskWorkers workers) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false)
                    .withConcurrentReconciliationThreads(2);
            if (!settings.exitOnFatalError()) {
                // JOSDK's own handler calls System.exit, which would end the program the agent runs in
                o.withInformerStoppedHandler((informer, cause) -> {
                    if (cause != null) {
                        log.error(
                                "the task informer of node {} stopped for good, no task will run: {}",
                                settings.nodeName(),
                                cause.getMessage());
                    }
                });
            }
        });
        operator.register(
                new TaskReconciler(settings.nodeName(), workers),
                c -> c.withName("worktask-agent-" + settings.nodeName())
                        // a task whose outcome could not be recorded (API down for minutes) is looked at again
                        .withReconciliationMaxInterval(Duration.ofMinutes(5))
                        .withRetry(TaskReconciler.statusRetry())
                        .withLabelSelector(ApiGroup.NODE_LABEL + "=" + settings.nodeName())
                        .watchingAllNamespaces()
                        .withItemStore(new WithoutManagedFields<>()));
        return operator;
    }

    /** The metrics and health port, where one is asked for; null otherwise. */
    private static HealthServer healthPort(Settings settings, PrometheusMeterRegistry registry, NodeSurvey survey)
            throws EngineException {
        if (settings.metricsPort() == null) {
            return null;
        }
        try {
            return HealthServer.start("0.0.0.0", settings.metricsPort(), registry, () -> {
                NodeSurvey.Facts f = survey.survey();
                return new HealthServer.Readiness(f.ready(), f.reason() + ": " + f.message());
            });
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR,
                    "cannot open the metrics port " + settings.metricsPort() + ": " + ErrorText.of(e),
                    e);
        }
    }

    /**
     * Starts the task watch, then the heartbeat. A task informer that cannot start (its list refused, say)
     * fails the start: waiting on it would hold the start for minutes and then run blind, while the
     * heartbeats said the node was ready. Only an agent that sees its tasks records its node.
     */
    private void begin(Settings settings) {
        try {
            operator.start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        recorder.beat();
        heartbeat.scheduleWithFixedDelay(
                recorder::beat,
                settings.heartbeat().toMillis(),
                settings.heartbeat().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * What a killed agent left: half-made images, interrupted resizes, partial downloads. A resize that
     * cannot be rolled back is logged and kept by {@code recovery}, which the node record reports.
     */
    static void recover(DataDirectories directories, ResizeRecovery recovery) throws EngineException {
        for (Path dir : List.of(directories.disks(), directories.seeds())) {
            StagedOutput.cleanLeftovers(dir);
            recovery.recover(dir);
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(directories.downloads(), ".workdisk-download-*")) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot sweep partial downloads: {}", e.getMessage());
        }
    }

    /** The metrics and health port actually bound (useful when 0 asked for any free one), or -1. */
    public int metricsPort() {
        return health == null ? -1 : health.port();
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        operator.stop();
        workers.close();
        layerReaders.shutdownNow();
        if (health != null) {
            health.close();
        }
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.OperatingSystemMXBean;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.api.Conditions;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * N WorkDisks applied at once (half blank, half from a seed, over ten namespaces) to an operator and five
 * agents on the real API server of the suite, each a JVM of its own with the flags {@code ./workdisk} and the
 * images run it with (the chart's memory limits as MaxRAM). Measured at 100, 300 and 1,000: time to all
 * Ready against the engine alone with the same parallelism; how long after its create each disk was shown
 * Placed (seen by a watch, and as its condition records it); API writes per disk at the server by client, verb
 * and resource (audit log), until they settle; peak resident memory (VmHWM) of the operator and of the
 * largest agent; all requests per disk by each.
 *
 * <p>Run: {@code ./mvnw -B -pl demo -am test -Pbenchmark -Dtest=LoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (-Dworkdisk.load.sizes=1000 for one size)
 */
@Tag("benchmark")
@ExtendWith(SharedApiServer.class)
class LoadBenchmark {
    static final int NODES = 5;
    static final int NAMESPACES = 10;
    /**
     * The flags {@code ./workdisk operator} and {@code ./workdisk agent run} use: the images' (LauncherFlagsTest
     * keeps the two in step), with MaxRAM standing in for the pod's memory limit (the chart's: operator 384Mi, agent
     * 256Mi), so heap sizing follows the same ergonomics as in the pod. Override with
     * -Dworkdisk.load.operatorJvm=... / -Dworkdisk.load.agentJvm=... (space-separated) to compare.
     */
    static final List<String> OPERATOR_JVM =
            flags("workdisk.load.operatorJvm", String.join(" ", LauncherFlags.operator()));

    static final List<String> AGENT_JVM = flags("workdisk.load.agentJvm", String.join(" ", LauncherFlags.agent()));

    @TempDir
    Path tmp;

    static List<String> flags(String property, String defaults) {
        return List.of(System.getProperty(property, defaults).trim().split("\\s+"));
    }

    record Figures(
            int disks,
            double seconds,
            double engineSeconds,
            long operatorPeakKiB,
            long agentPeakKiB,
            double operatorRequestsPerDisk,
            double agentRequestsPerDisk,
            double operatorCpu,
            double agentsCpu,
            double apiCpu,
            Latencies placedSeen,
            Latencies placedRecorded,
            Map<String, Double> writesPerDisk) {
        /** API writes per disk on WorkDisks, WorkTasks, Events and the disks' volume objects by the operator and the agents. */
        double diskWritesPerDisk() {
            return writesPerDisk.entrySet().stream()
                    .filter(e -> DISK_RESOURCES.contains(e.getKey().split(" ")[2]))
                    .mapToDouble(Map.Entry::getValue)
                    .sum();
        }
    }

    static final Set<String> DISK_RESOURCES = Set.of(
            "workdisks",
            "workdisks/status",
            "worktasks",
            "worktasks/status",
            "events",
            "persistentvolumes",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status");

    @Test
    void thousandDisksOnFiveNodes(RealApiServer api) throws Exception {
        Path rootfs = Rootfs.ofFixture(tmp);
        Path images = rootfs.getParent();
        List<Figures> all = new ArrayList<>();
        for (String n :
                System.getProperty("workdisk.load.sizes", "100,300,1000").split(",")) {
            all.add(run(api, Integer.parseInt(n.strip()), rootfs, images));
        }
        System.out.println(
                "| WorkDisks | apply → all Ready (s) | engine alone (s) | ratio | placed, seen by a watch: median / p99 / max | placed, recorded (1 s resolution) | API writes per disk | operator peak RSS (MiB) | largest agent peak RSS (MiB) | operator requests/disk | agent requests/disk |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Figures f : all) {
            System.out.printf(
                    "| %d | %.1f | %.1f | %.2f× | %s | %s | %.2f | %.0f | %.0f | %.2f | %.2f |%n",
                    f.disks(),
                    f.seconds(),
                    f.engineSeconds(),
                    f.seconds() / f.engineSeconds(),
                    f.placedSeen(),
                    f.placedRecorded(),
                    f.diskWritesPerDisk(),
                    f.operatorPeakKiB() / 1024.0,
                    f.agentPeakKiB() / 1024.0,
                    f.operatorRequestsPerDisk(),
                    f.agentRequestsPerDisk());
        }
        System.out.println("API writes per disk at the server, by client, verb and resource (until they settle):");
        for (Figures f : all) {
            System.out.println("  " + f.disks() + " disks:");
            f.writesPerDisk().forEach((k, v) -> System.out.printf("    %-55s %.2f%n", k, v));
        }
        Figures small = all.get(0);
        Figures large = all.get(all.size() - 1);
        System.out.println("CPU seconds while the disks were made (the JVMs only; e2fsprogs tools not counted):");
        for (Figures f : all) {
            System.out.printf(
                    "  %d disks: operator %.1f s, five agents %.1f s, the test JVM %.1f s, on %d cores%n",
                    f.disks(),
                    f.operatorCpu(),
                    f.agentsCpu(),
                    f.apiCpu(),
                    Runtime.getRuntime().availableProcessors());
        }
        System.out.println("operator JVM: " + OPERATOR_JVM + "; agent JVM: " + AGENT_JVM);
        System.out.printf(
                "growth 100 -> 1000: time per disk x%.2f, operator requests per disk x%.2f, agent requests per disk x%.2f%n",
                (large.seconds() / large.disks()) / (small.seconds() / small.disks()),
                large.operatorRequestsPerDisk() / small.operatorRequestsPerDisk(),
                large.agentRequestsPerDisk() / small.agentRequestsPerDisk());
        System.out.printf(
                "goals at 1000: operator %.0f MiB of 256 (x%.2f), agent %.0f MiB of 128 (x%.2f)%n",
                large.operatorPeakKiB() / 1024.0,
                large.operatorPeakKiB() / 1024.0 / 256,
                large.agentPeakKiB() / 1024.0,
                large.agentPeakKiB() / 1024.0 / 128);
    }

    /**
     * The operator's and agents' processes as the benchmarks run them: the images' JVM flags and allocator arenas,
     * {@link #NAMESPACES} namespaces {@code team-N} and {@link #NODES} nodes {@code node-N} under {@code dir}, each
     * allowed to read {@code imageDirs}; the operator is left to the caller to start.
     */
    static ProcessCluster processCluster(RealApiServer api, Path dir, List<Path> imageDirs)
            throws IOException, InterruptedException {
        ProcessCluster cluster =
                new ProcessCluster(dir.resolve("run"), api, api.kubeconfigYaml(), OPERATOR_JVM, AGENT_JVM);
        try {
            cluster.withEnv("MALLOC_ARENA_MAX", "2") // as the images set it
                    .withTheAgentsOwnHeartbeat(); // as the chart runs them
            for (int i = 0; i < NAMESPACES; i++) {
                api.ensureNamespace("team-" + i);
            }
            for (int i = 0; i < NODES; i++) {
                cluster.addNode(new ProcessCluster.Node(
                        "node-" + i,
                        dir.resolve("node-" + i),
                        imageDirs,
                        Runtime.getRuntime().availableProcessors()));
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    Figures run(RealApiServer api, int disks, Path rootfs, Path images) throws Exception {
        api.reset();
        Path dir = tmp.resolve("n" + disks);
        try (ProcessCluster cluster = processCluster(api, dir, List.of(images))) {
            KubernetesClient kube = cluster.client();
            List<String> operatorArgs = new ArrayList<>(List.of("--no-leader-election"));
            // e.g. -Dworkdisk.load.operatorArgs="--threads 200" to compare
            String extra = System.getProperty("workdisk.load.operatorArgs", "").trim();
            if (!extra.isEmpty()) {
                operatorArgs.addAll(List.of(extra.split("\\s+")));
            }
            cluster.startOperator(operatorArgs.toArray(String[]::new));
            kube.resource(Manifests.seed("base", rootfs)).create();
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> Waits.seedReady(kube, "base").getStatus().readyNodes() == NODES);

            long mark = api.audit().mark();
            long start = System.nanoTime();
            double operatorCpuBefore = cluster.operator().cpuSeconds();
            double agentsCpuBefore = cluster.agents().stream()
                    .mapToDouble(JavaProcess::cpuSeconds)
                    .sum();
            double apiCpuBefore = ownCpuSeconds();
            // when each create was sent, and when a watch first saw the disk Placed (both by name: the watch may
            // see a disk before its create call returns)
            Map<String, Long> sent = new ConcurrentHashMap<>();
            Map<String, Long> placedAt = new ConcurrentHashMap<>();
            Watch watch = kube.resources(WorkDisk.class).inAnyNamespace().watch(Watchers.anyChange(d -> {
                if (placed(d)) {
                    placedAt.putIfAbsent(key(d), System.nanoTime());
                }
            }));
            ExecutorService apply = Executors.newFixedThreadPool(8);
            List<Future<?>> applied = new ArrayList<>();
            for (int i = 0; i < disks; i++) {
                int k = i;
                applied.add(apply.submit(() -> {
                    WorkDisk d = Manifests.disk(
                            "team-" + k % NAMESPACES,
                            "d" + k,
                            WorkDiskSpec.ofSize("1Gi").withSeedRef(k % 2 == 0 ? null : "base"));
                    sent.put(key(d), System.nanoTime());
                    return kube.resource(d).create();
                }));
            }
            for (Future<?> f : applied) {
                f.get();
            }
            apply.shutdown();
            await().atMost(Duration.ofMinutes(20))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> kube.resources(WorkDisk.class).inAnyNamespace().list().getItems().stream()
                                    .filter(d -> d.getStatus() != null
                                            && d.getStatus().phase() == DiskPhase.Ready)
                                    .count()
                            == disks);
            double seconds = (System.nanoTime() - start) / 1e9;
            watch.close();
            List<WorkDisk> made =
                    kube.resources(WorkDisk.class).inAnyNamespace().list().getItems();
            Latencies placedRecorded = Latencies.of(made.stream()
                    .map(d -> Duration.between(
                                            Instant.parse(d.getMetadata().getCreationTimestamp()),
                                            Instant.parse(Conditions.find(
                                                            d.getStatus().conditions(), "Placed")
                                                    .getLastTransitionTime()))
                                    .toMillis()
                            / 1000.0)
                    .toList());
            Latencies placedSeen = Latencies.of(sent.entrySet().stream()
                    .map(e -> (placedAt.getOrDefault(e.getKey(), Long.MAX_VALUE) - e.getValue()) / 1e9)
                    .toList());
            // writes settle: nothing more written on disks, tasks or events for two seconds
            long[] lastCount = {-1};
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        long n = diskWrites(api, mark).size();
                        boolean settled = n == lastCount[0];
                        lastCount[0] = n;
                        return settled;
                    });
            Map<String, Double> writesPerDisk =
                    AuditLog.perItem(api.audit().since(mark).stream().filter(e -> e.write() && byProduct(e)), disks);
            double operatorCpu = cluster.operator().cpuSeconds() - operatorCpuBefore;
            double agentsCpu = cluster.agents().stream()
                            .mapToDouble(JavaProcess::cpuSeconds)
                            .sum()
                    - agentsCpuBefore;
            double apiCpu = ownCpuSeconds() - apiCpuBefore;
            long agentPeak = cluster.largestAgentPeakKiB();
            long operatorPeak = cluster.operator().peakResidentKiB();
            // the reference, in the same run and data roots: the same steps through the engine, same parallelism
            List<Path> roots = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                roots.add(dir.resolve("node-" + i));
            }
            double engineSeconds = EngineReference.makeDisks(
                    roots, Runtime.getRuntime().availableProcessors(), disks, 1L << 30, "base", 2, "engine-");
            Figures f = new Figures(
                    disks,
                    seconds,
                    engineSeconds,
                    operatorPeak,
                    agentPeak,
                    requestsFrom(api, mark, "workdisk-operator") / (double) disks,
                    requestsFrom(api, mark, "workdisk-agent") / (double) disks,
                    operatorCpu,
                    agentsCpu,
                    apiCpu,
                    placedSeen,
                    placedRecorded,
                    writesPerDisk);
            System.out.println("load: " + f);
            assertThat(agentPeak).isPositive();
            return f;
        }
    }

    /** The product's clients: the test's own writes (the WorkDisks themselves) and the API server's are not counted. */
    static final Set<String> PRODUCT = Set.of("workdisk-operator", "workdisk-agent");

    static boolean byProduct(AuditLog.Entry e) {
        return PRODUCT.contains(e.client());
    }

    /** Writes on WorkDisks, WorkTasks and Events since {@code mark} by the operator and the agents. */
    static List<AuditLog.Entry> diskWrites(RealApiServer api, long mark) {
        return api.audit().since(mark).stream()
                .filter(e -> e.write() && byProduct(e) && DISK_RESOURCES.contains(e.resource()))
                .toList();
    }

    static boolean placed(WorkDisk d) {
        return d.getStatus() != null
                && d.getStatus().conditions() != null
                && d.getStatus().conditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("Placed") && c.getStatus().equals("True"));
    }

    static String key(WorkDisk d) {
        return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
    }

    /** Requests the API server answered since {@code mark} for clients whose User-Agent is {@code userAgent}. */
    static long requestsFrom(RealApiServer api, long mark, String userAgent) {
        return api.audit().since(mark).stream()
                .filter(e -> e.client().equals(userAgent))
                .count();
    }

    /** CPU used by this JVM: the test's own polling (the API server and etcd are processes of their own). */
    static double ownCpuSeconds() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
}

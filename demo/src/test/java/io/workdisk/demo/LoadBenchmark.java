package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.OperatingSystemMXBean;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * N WorkDisks applied at once (half blank, half from a seed, over ten namespaces) to an operator and five
 * agents, each a JVM of its own with the heap and collector it gets in its pod (the chart's memory limits
 * with MaxRAMPercentage=75, and the serial collector a JVM picks under 1792 MiB). Measured at 100, 300
 * and 1,000: time to all Ready, peak resident memory (VmHWM) of the operator and of the largest agent,
 * and API requests per WorkDisk by each, from the first apply until every task is cleaned up.
 *
 * <p>Run: {@code ./mvnw -B -pl demo -am test -Pbenchmark -Dtest=LoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
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
            double apiCpu) {}

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
                "| WorkDisks | apply → all Ready (s) | engine alone (s) | ratio | operator peak RSS (MiB) | largest agent peak RSS (MiB) | operator requests/disk | agent requests/disk |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Figures f : all) {
            System.out.printf(
                    "| %d | %.1f | %.1f | %.2f× | %.0f | %.0f | %.2f | %.2f |%n",
                    f.disks(),
                    f.seconds(),
                    f.engineSeconds(),
                    f.seconds() / f.engineSeconds(),
                    f.operatorPeakKiB() / 1024.0,
                    f.agentPeakKiB() / 1024.0,
                    f.operatorRequestsPerDisk(),
                    f.agentRequestsPerDisk());
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

    Figures run(RealApiServer api, int disks, Path rootfs, Path images) throws Exception {
        api.reset();
        Path dir = tmp.resolve("n" + disks);
        try (ProcessCluster cluster =
                new ProcessCluster(dir.resolve("run"), api, api.kubeconfigYaml(), OPERATOR_JVM, AGENT_JVM)) {
            cluster.withEnv("MALLOC_ARENA_MAX", "2"); // as the images set it
            KubernetesClient kube = cluster.client();
            for (int i = 0; i < NAMESPACES; i++) {
                api.ensureNamespace("team-" + i);
            }
            for (int i = 0; i < NODES; i++) {
                cluster.addNode(new ProcessCluster.Node(
                        "node-" + i,
                        dir.resolve("node-" + i),
                        List.of(images),
                        Runtime.getRuntime().availableProcessors()));
            }
            cluster.startOperator("--no-leader-election");
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
            ExecutorService apply = Executors.newFixedThreadPool(8);
            List<Future<?>> applied = new ArrayList<>();
            for (int i = 0; i < disks; i++) {
                int k = i;
                applied.add(apply.submit(() -> kube.resource(Manifests.disk(
                                "team-" + k % NAMESPACES,
                                "d" + k,
                                WorkDiskSpec.ofSize("1Gi").withSeedRef(k % 2 == 0 ? null : "base")))
                        .create()));
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
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> kube.resources(WorkTask.class)
                            .inAnyNamespace()
                            .list()
                            .getItems()
                            .isEmpty());
            double operatorCpu = cluster.operator().cpuSeconds() - operatorCpuBefore;
            double agentsCpu = cluster.agents().stream()
                            .mapToDouble(JavaProcess::cpuSeconds)
                            .sum()
                    - agentsCpuBefore;
            double apiCpu = ownCpuSeconds() - apiCpuBefore;
            long agentPeak = cluster.agents().stream()
                    .mapToLong(JavaProcess::peakResidentKiB)
                    .max()
                    .orElse(-1);
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
                    apiCpu);
            System.out.println("load: " + f);
            assertThat(agentPeak).isPositive();
            return f;
        }
    }

    /** Requests the API server answered since {@code mark} for clients whose User-Agent is {@code userAgent}. */
    static long requestsFrom(RealApiServer api, long mark, String userAgent) {
        return api.audit().since(mark).stream()
                .filter(e -> e.userAgent().split("/")[0].equals(userAgent))
                .count();
    }

    /** CPU used by this JVM: the test's own polling (the API server and etcd are processes of their own). */
    static double ownCpuSeconds() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
}

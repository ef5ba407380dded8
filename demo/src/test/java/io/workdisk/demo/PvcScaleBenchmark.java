package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * N PVCs of the driver's WaitForFirstConsumer class, each with a Pod that uses it, applied at once over ten
 * namespaces, on the suite's API server with the real kube-scheduler, kube-controller-manager (volume
 * controllers), csi-provisioner and csi-resizer ({@link ControlPlane}), the operator serving the CSI controller
 * service (its own JVM, {@code --csi-socket}) and five agents (JVMs of their own), with the images' JVM flags.
 * Measured: from each claim's create to it Bound and to its Pod scheduled (median, p99, max, seen by watches);
 * writes per volume at the server by client, verb and resource (audit log) until they settle; the peak resident
 * memory (VmHWM) of the operator and the largest agent.
 *
 * <p>Run: {@code ./mvnw -B -pl demo -am test -Pbenchmark -Dtest=PvcScaleBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} (-Dworkdisk.pvc.sizes=100,1000 for more than one size)
 */
@Tag("benchmark")
@ExtendWith(SharedApiServer.class)
class PvcScaleBenchmark {
    static final int NODES = 5;
    static final int NAMESPACES = 10;
    static final String CLASS = "workdisk";

    @TempDir
    Path tmp;

    record Figures(
            int claims,
            Latencies bound,
            Latencies scheduled,
            double writesPerVolume,
            Map<String, Double> writesByClient,
            long operatorPeakKiB,
            long agentPeakKiB) {}

    @Test
    void claimsAndPodsAppliedAtOnce(RealApiServer api) throws Exception {
        List<Figures> all = new ArrayList<>();
        for (String n : System.getProperty("workdisk.pvc.sizes", "1000").split(",")) {
            all.add(run(api, Integer.parseInt(n.strip())));
        }
        System.out.println(
                "| PVCs + Pods | create → Bound: median / p99 / max (s) | create → Pod scheduled: median / p99 / max (s) | writes per volume | operator peak RSS (MiB) | largest agent peak RSS (MiB) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (Figures f : all) {
            System.out.printf(
                    "| %d | %s | %s | %.1f | %.0f | %.0f |%n",
                    f.claims(),
                    f.bound().cell(1),
                    f.scheduled().cell(1),
                    f.writesPerVolume(),
                    f.operatorPeakKiB() / 1024.0,
                    f.agentPeakKiB() / 1024.0);
        }
        for (Figures f : all) {
            System.out.println("writes per volume at the server, by client, verb and resource (" + f.claims() + "):");
            f.writesByClient().forEach((k, v) -> System.out.printf("    %-70s %.2f%n", k, v));
        }
        System.out.println("operator JVM: " + LoadBenchmark.OPERATOR_JVM + "; agent JVM: " + LoadBenchmark.AGENT_JVM);
    }

    Figures run(RealApiServer api, int claims) throws Exception {
        api.reset();
        Path dir = tmp.resolve("n" + claims);
        Path socket = dir.resolve("csi/controller.sock");
        try (ProcessCluster cluster = new ProcessCluster(
                        dir.resolve("run"),
                        api,
                        api.kubeconfigYaml(),
                        LoadBenchmark.OPERATOR_JVM,
                        LoadBenchmark.AGENT_JVM);
                ControlPlane plane = new ControlPlane(api, dir.resolve("control-plane"))) {
            cluster.withEnv("MALLOC_ARENA_MAX", "2"); // as the images set it
            KubernetesClient kube = cluster.client();
            for (int i = 0; i < NAMESPACES; i++) {
                api.ensureNamespace("team-" + i);
            }
            for (int i = 0; i < NODES; i++) {
                cluster.addNode(new ProcessCluster.Node(
                        "node-" + i,
                        dir.resolve("node-" + i),
                        List.of(),
                        Runtime.getRuntime().availableProcessors()));
                plane.node("node-" + i);
            }
            plane.csiDriver();
            kube.resource(Claims.storageClass(CLASS, Map.of())).create();
            cluster.startOperator("--no-leader-election", "--csi-socket", socket.toString());
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(socket));
            plane.controllerManager()
                    .scheduler()
                    .provisioner(socket, ProcessCluster.NAMESPACE)
                    .resizer(socket);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> kube.resources(WorkNode.class).list().getItems().stream()
                                    .filter(n -> n.getStatus() != null
                                            && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                                    .count()
                            == NODES);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> kube.storage().v1().csiStorageCapacities().inAnyNamespace().list().getItems().stream()
                                    .filter(c -> c.getCapacity() != null
                                            && !c.getCapacity().getAmount().equals("0"))
                                    .count()
                            == NODES);

            long mark = api.audit().mark();
            Map<String, Long> sent = new ConcurrentHashMap<>();
            Map<String, Long> boundAt = new ConcurrentHashMap<>();
            Map<String, Long> scheduledAt = new ConcurrentHashMap<>();
            Watch claimsWatch = kube.persistentVolumeClaims()
                    .inAnyNamespace()
                    .watch(Watchers.anyChange((PersistentVolumeClaim c) -> {
                        if (Claims.bound(c)) {
                            boundAt.putIfAbsent(key(c.getMetadata()), System.nanoTime());
                        }
                    }));
            Watch podsWatch = kube.pods().inAnyNamespace().watch(Watchers.anyChange((Pod p) -> {
                if (p.getSpec().getNodeName() != null) {
                    scheduledAt.putIfAbsent(key(p.getMetadata()), System.nanoTime());
                }
            }));
            ExecutorService apply = Executors.newFixedThreadPool(16);
            List<Future<?>> applied = new ArrayList<>();
            for (int i = 0; i < claims; i++) {
                String ns = "team-" + i % NAMESPACES;
                String name = "c" + i;
                applied.add(apply.submit(() -> {
                    sent.put(ns + "/" + name, System.nanoTime());
                    kube.resource(Claims.claim(ns, name, CLASS, "64Mi")).create();
                    return kube.resource(Claims.podUsing(ns, name, name)).create();
                }));
            }
            for (Future<?> f : applied) {
                f.get();
            }
            apply.shutdown();
            await().atMost(Duration.ofMinutes(15))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> boundAt.size() == claims && scheduledAt.size() == claims);
            claimsWatch.close();
            podsWatch.close();
            System.out.println("pvc scale " + claims + ": Bound " + Latencies.of(seconds(sent, boundAt))
                    + ", scheduled " + Latencies.of(seconds(sent, scheduledAt)));
            // the writes that follow the last binding (capacities, the agents' reports) land within seconds
            await().pollDelay(Duration.ofSeconds(10))
                    .atMost(Duration.ofSeconds(11))
                    .until(() -> true);
            Map<String, Double> writesByClient = new TreeMap<>();
            // the test's own creates of claims and pods are the load, not the writes it causes
            api.audit().since(mark).stream()
                    .filter(PvcScaleBenchmark::perVolume)
                    .forEach(e -> writesByClient.merge(
                            e.userAgent().split("/")[0] + " " + e.verb() + " " + e.resource(),
                            1.0 / claims,
                            Double::sum));
            long agentPeak = cluster.agents().stream()
                    .mapToLong(JavaProcess::peakResidentKiB)
                    .max()
                    .orElse(-1);
            Figures f = new Figures(
                    claims,
                    Latencies.of(seconds(sent, boundAt)),
                    Latencies.of(seconds(sent, scheduledAt)),
                    writesByClient.values().stream()
                            .mapToDouble(Double::doubleValue)
                            .sum(),
                    writesByClient,
                    cluster.operator().peakResidentKiB(),
                    agentPeak);
            System.out.println("pvc scale: " + f);
            assertThat(f.bound().max()).as("every claim Bound").isLessThan(Double.MAX_VALUE);
            return f;
        }
    }

    /**
     * A write the volumes cause: not the test's own creates of claims and pods (the load), nor the heartbeats
     * on WorkNodes, which go on at the same rate with no volume at all.
     */
    static boolean perVolume(AuditLog.Entry e) {
        return e.write()
                && !e.userAgent().startsWith("workdisk-user")
                && !e.resource().startsWith("worknodes");
    }

    private static List<Double> seconds(Map<String, Long> sent, Map<String, Long> at) {
        return sent.entrySet().stream()
                .map(e -> (at.get(e.getKey()) - e.getValue()) / 1e9)
                .toList();
    }

    private static String key(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        return meta.getNamespace() + "/" + meta.getName();
    }
}

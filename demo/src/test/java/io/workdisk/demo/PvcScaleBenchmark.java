package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * N PVCs, each with a Pod that uses it, applied at once over ten namespaces on five nodes, on the suite's API
 * server with the real kube-scheduler and kube-controller-manager (volume controllers) ({@link ControlPlane}), in
 * three setups, one after the other in the same run:
 *
 * <ul>
 *   <li>the <b>reference</b>: N local PersistentVolumes made beforehand (a {@code kubernetes.io/no-provisioner}
 *       WaitForFirstConsumer class, the way local volumes are used), so the scheduler and controller-manager only
 *       match and bind, as in Kubernetes' own measurement of pre-made pairs (kubernetes/kubernetes#133352);
 *   <li>the <b>floor</b>: provisioned as workdisk's are, by the same components and csi-provisioner, through a
 *       controller that makes nothing and answers at once ({@link InstantCsiController}): what any driver's
 *       claims cost at least here;
 *   <li><b>workdisk</b>: the driver's WaitForFirstConsumer class, each volume provisioned as it is asked for by the
 *       real csi-provisioner (and csi-resizer beside it) through the operator's CSI controller service (its own
 *       JVM, {@code --csi-socket}), and made by one of five agents (JVMs of their own), with the images' JVM
 *       flags.
 * </ul>
 *
 * Measured for each: from each claim's create to it Bound and to its Pod scheduled (median, p99, max, seen by
 * watches), and their ratio; writes per volume at the server by client, verb and resource (audit log) until they
 * settle; the CPU seconds every process of the run used, by program (on a shared machine these are what ran here,
 * where wall-clock times also measure the neighbours); where each claim's time went, stage by stage (audit log);
 * the peak resident memory (VmHWM) of the operator and the largest agent.
 *
 * <p>Run: {@code ./mvnw -B -pl demo -am test -Pbenchmark -Dtest=PvcScaleBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} (-Dworkdisk.pvc.sizes=100,1000 for more than one size;
 * -Dworkdisk.pvc.controlPlaneQps=N for the controller-manager's and scheduler's request rate, default 100;
 * -Dworkdisk.pvc.setups=floor,workdisk for fewer setups than the three; -Dworkdisk.pvc.driverNice=10 for the
 * operator and agents at a lower CPU priority than the control plane)
 */
@Tag("benchmark")
@ExtendWith(SharedApiServer.class)
class PvcScaleBenchmark {
    static final String CLASS = "workdisk";
    static final String STATIC_CLASS = "local-static";
    /** The controller-manager's and scheduler's request rate, in every setup. */
    static final int CONTROL_PLANE_QPS = Integer.getInteger("workdisk.pvc.controlPlaneQps", 100);

    @TempDir
    Path tmp;

    /** What is measured, by the name {@code -Dworkdisk.pvc.setups} gives it. */
    enum Setup {
        REFERENCE("pre-made local volumes"),
        FLOOR("the same components, a driver that does no work"),
        WORKDISK("provisioned through the driver");

        private final String what;

        Setup(String what) {
            this.what = what;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT) + ": " + what;
        }
    }

    record Figures(
            Setup setup,
            int claims,
            Latencies bound,
            Latencies scheduled,
            double writesPerVolume,
            Map<String, Double> writesByClient,
            Map<String, Double> cpuSeconds,
            long operatorPeakKiB,
            long agentPeakKiB) {
        double totalCpuSeconds() {
            return cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    @Test
    void claimsAndPodsAppliedAtOnce(RealApiServer api) throws Exception {
        List<Setup> setups = Arrays.stream(System.getProperty("workdisk.pvc.setups", "reference,floor,workdisk")
                        .split(","))
                .map(name -> Setup.valueOf(name.strip().toUpperCase(Locale.ROOT)))
                .toList();
        List<Figures> all = new ArrayList<>();
        for (String n : System.getProperty("workdisk.pvc.sizes", "1000").split(",")) {
            int claims = Integer.parseInt(n.strip());
            if (setups.contains(Setup.REFERENCE)) {
                all.add(staticVolumes(api, claims));
            }
            if (setups.contains(Setup.FLOOR)) {
                all.add(instantlyProvisioned(api, claims));
            }
            if (setups.contains(Setup.WORKDISK)) {
                all.add(provisioned(api, claims));
            }
        }
        System.out.println(
                "| setup | PVCs + Pods | create → Bound: median / p99 / max (s) | create → Pod scheduled: median / p99 / max (s) | writes per volume | CPU seconds, all processes | operator peak RSS (MiB) | largest agent peak RSS (MiB) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Figures f : all) {
            System.out.printf(
                    "| %s | %d | %s | %s | %.1f | %.0f | %s | %s |%n",
                    f.setup().label(),
                    f.claims(),
                    f.bound().cell(1),
                    f.scheduled().cell(1),
                    f.writesPerVolume(),
                    f.totalCpuSeconds(),
                    f.operatorPeakKiB() < 0 ? "–" : String.format("%.0f", f.operatorPeakKiB() / 1024.0),
                    f.agentPeakKiB() < 0 ? "–" : String.format("%.0f", f.agentPeakKiB() / 1024.0));
        }
        for (Figures ours : all) {
            for (Figures other : all) {
                if (ours.setup() == Setup.WORKDISK
                        && other.setup() != Setup.WORKDISK
                        && ours.claims() == other.claims()) {
                    System.out.printf(
                            "%d claims, workdisk / %s: Bound median x%.2f, max x%.2f; CPU seconds x%.2f%n",
                            ours.claims(),
                            other.setup().name().toLowerCase(Locale.ROOT),
                            ours.bound().median() / other.bound().median(),
                            ours.bound().max() / other.bound().max(),
                            ours.totalCpuSeconds() / other.totalCpuSeconds());
                }
            }
        }
        for (Figures f : all) {
            System.out.println("writes per volume at the server, by client, verb and resource ("
                    + f.setup().label() + ", " + f.claims() + "):");
            f.writesByClient().forEach((k, v) -> System.out.printf("    %-70s %.2f%n", k, v));
            System.out.println("CPU seconds by program (" + f.setup().label() + ", " + f.claims() + "):");
            f.cpuSeconds().forEach((k, v) -> System.out.printf("    %-40s %.1f%n", k, v));
        }
        System.out.println("operator JVM: " + LoadBenchmark.OPERATOR_JVM + "; agent JVM: " + LoadBenchmark.AGENT_JVM
                + "; controller-manager and scheduler at " + CONTROL_PLANE_QPS + " QPS (burst twice that), provisioner "
                + ControlPlane.PROVISIONER_RATE);
    }

    /** The reference: local volumes made beforehand, matched and bound by the scheduler and controller-manager. */
    Figures staticVolumes(RealApiServer api, int claims) throws Exception {
        api.reset();
        Path dir = tmp.resolve("static-" + claims);
        try (KubernetesClient kube = api.newClient("user");
                ControlPlane plane =
                        new ControlPlane(api, dir.resolve("control-plane")).controlPlaneRate(CONTROL_PLANE_QPS)) {
            teamsAndNodes(api, plane);
            kube.resource(new StorageClassBuilder()
                            .withNewMetadata()
                            .withName(STATIC_CLASS)
                            .endMetadata()
                            .withProvisioner("kubernetes.io/no-provisioner")
                            .withVolumeBindingMode("WaitForFirstConsumer")
                            .build())
                    .create();
            plane.controllerManager().scheduler();
            inParallel(claims, i -> () -> kube.resource(localVolume(i)).create());
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> kube.persistentVolumes().list().getItems().stream()
                                    .filter(pv ->
                                            "Available".equals(pv.getStatus().getPhase()))
                                    .count()
                            == claims);
            return measure(api, kube, claims, STATIC_CLASS, Setup.REFERENCE, null);
        }
    }

    /**
     * The floor: each volume provisioned as workdisk's are, by the same scheduler, controller-manager and
     * csi-provisioner, but through a controller that makes nothing and answers at once ({@link
     * InstantCsiController}): what the upstream components alone cost a provisioned claim on this machine.
     */
    Figures instantlyProvisioned(RealApiServer api, int claims) throws Exception {
        api.reset();
        Path dir = tmp.resolve("instant-" + claims);
        Path socket = dir.resolve("csi/controller.sock");
        try (KubernetesClient kube = api.newClient("user");
                InstantCsiController driver = InstantCsiController.serving(socket);
                ControlPlane plane =
                        new ControlPlane(api, dir.resolve("control-plane")).controlPlaneRate(CONTROL_PLANE_QPS)) {
            teamsAndNodes(api, plane);
            plane.csiDriver();
            kube.resource(Claims.storageClass(CLASS, Map.of())).create();
            api.ensureNamespace(ProcessCluster.NAMESPACE);
            plane.controllerManager().scheduler().provisioner(socket, ProcessCluster.NAMESPACE);
            awaitRoomOnEveryNode(kube);
            Figures f = measure(api, kube, claims, CLASS, Setup.FLOOR, null);
            System.out.println("floor: " + driver.created() + " CreateVolume calls answered for " + claims + " claims");
            System.out.println("floor: csi-provisioner started " + plane.starts("csi-provisioner") + " time(s)");
            return f;
        }
    }

    /** Workdisk: each volume provisioned through the driver when the scheduler has chosen its node. */
    Figures provisioned(RealApiServer api, int claims) throws Exception {
        api.reset();
        Path dir = tmp.resolve("n" + claims);
        Path socket = dir.resolve("csi/controller.sock");
        try (ProcessCluster cluster = LoadBenchmark.processCluster(api, dir, List.of());
                ControlPlane plane =
                        new ControlPlane(api, dir.resolve("control-plane")).controlPlaneRate(CONTROL_PLANE_QPS)) {
            KubernetesClient kube = cluster.client();
            teamsAndNodes(api, plane);
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
                            == LoadBenchmark.NODES);
            awaitRoomOnEveryNode(kube);
            Integer nice = Integer.getInteger("workdisk.pvc.driverNice");
            if (nice != null) {
                for (JavaProcess jvm : cluster.jvms()) {
                    renice(jvm.pid(), nice);
                }
            }
            Figures f = measure(api, kube, claims, CLASS, Setup.WORKDISK, cluster);
            System.out.println("workdisk: csi-provisioner started " + plane.starts("csi-provisioner")
                    + " time(s), csi-resizer " + plane.starts("csi-resizer"));
            return f;
        }
    }

    /**
     * Applies the claims of {@code storageClass} and their Pods at once and measures until every claim is Bound
     * and every Pod scheduled; {@code cluster} (null for none) gives the operator and agents.
     */
    private Figures measure(
            RealApiServer api,
            KubernetesClient kube,
            int claims,
            String storageClass,
            Setup setup,
            ProcessCluster cluster)
            throws Exception {
        long mark = api.audit().mark();
        CpuUse cpuBefore = CpuUse.now();
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
        inParallel(claims, i -> () -> {
            String ns = "team-" + i % LoadBenchmark.NAMESPACES;
            String name = "c" + i;
            sent.put(ns + "/" + name, System.nanoTime());
            kube.resource(Claims.claim(ns, name, storageClass, "64Mi")).create();
            return kube.resource(Claims.podUsing(ns, name, name)).create();
        });
        await().atMost(Duration.ofMinutes(15))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> boundAt.size() == claims && scheduledAt.size() == claims);
        claimsWatch.close();
        podsWatch.close();
        System.out.println("pvc scale " + claims + ", " + setup.label() + ": Bound "
                + Latencies.of(seconds(sent, boundAt)) + ", scheduled " + Latencies.of(seconds(sent, scheduledAt)));
        // the writes that follow the last binding (capacities, the agents' reports) land within seconds
        await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
        Map<String, Double> cpu = new TreeMap<>();
        CpuUse.now().since(cpuBefore).forEach((program, used) -> {
            if (used >= 0.5) {
                cpu.put(program, used);
            }
        });
        if (cluster != null) {
            dumpProfiles(cluster);
        }
        Map<String, String> uids = new TreeMap<>();
        kube.persistentVolumeClaims()
                .inAnyNamespace()
                .list()
                .getItems()
                .forEach(c -> uids.put(key(c.getMetadata()), c.getMetadata().getUid()));
        List<AuditLog.Entry> entries = api.audit().since(mark);
        ProvisioningStages stages = ProvisioningStages.of(entries, uids);
        System.out.println("where the time went (" + setup.label() + "):");
        stages.report().forEach(line -> System.out.println("    " + line));
        stages.timeline(Duration.ofSeconds(5))
                .forEach((stage, counts) -> System.out.println("    per 5 s, " + stage + ": " + counts));
        // the test's own creates of claims and pods are the load, not the writes it causes
        Map<String, Double> writesByClient =
                AuditLog.perItem(entries.stream().filter(PvcScaleBenchmark::perVolume), claims);
        Figures f = new Figures(
                setup,
                claims,
                Latencies.of(seconds(sent, boundAt)),
                Latencies.of(seconds(sent, scheduledAt)),
                writesByClient.values().stream()
                        .mapToDouble(Double::doubleValue)
                        .sum(),
                writesByClient,
                cpu,
                cluster == null ? -1 : cluster.operator().peakResidentKiB(),
                cluster == null ? -1 : cluster.largestAgentPeakKiB());
        assertThat(f.bound().max()).as("every claim Bound").isLessThan(Double.MAX_VALUE);
        return f;
    }

    /** A 64Mi local volume on node {@code i % NODES}, as an administrator makes one for each disk a node has. */
    private static PersistentVolume localVolume(int i) {
        return new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("local-" + i)
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("64Mi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(STATIC_CLASS)
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewLocal()
                .withPath("/var/lib/static-disks/" + i)
                .endLocal()
                .withNewNodeAffinity()
                .withNewRequired()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey("kubernetes.io/hostname")
                .withOperator("In")
                .withValues("node-" + i % LoadBenchmark.NODES)
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequired()
                .endNodeAffinity()
                .endSpec()
                .build();
    }

    /** The namespaces the claims go to, and the Nodes (with their CSINodes) as their kubelets would make them. */
    private static void teamsAndNodes(RealApiServer api, ControlPlane plane) {
        for (int i = 0; i < LoadBenchmark.NAMESPACES; i++) {
            api.ensureNamespace("team-" + i);
        }
        for (int i = 0; i < LoadBenchmark.NODES; i++) {
            plane.node("node-" + i);
        }
    }

    /** Waits until csi-provisioner has published room on every node, without which the scheduler picks none. */
    private static void awaitRoomOnEveryNode(KubernetesClient kube) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kube.storage().v1().csiStorageCapacities().inAnyNamespace().list().getItems().stream()
                                .filter(c -> c.getCapacity() != null
                                        && !c.getCapacity().getAmount().equals("0"))
                                .count()
                        == LoadBenchmark.NODES);
    }

    /** Runs {@code n} calls from 16 threads, as many clients applying at once, and waits for all. */
    private static void inParallel(int n, IntFunction<Callable<?>> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                done.add(pool.submit(call.apply(i)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * With {@code -Dworkdisk.pvc.profile=DIR} (and {@code -XX:StartFlightRecording} in the JVM flags), the
     * operator's and agents' flight recordings are dumped there before they are stopped (they are killed, so
     * nothing is written at their exit): {@code jfr print --events jdk.ExecutionSample} shows where their CPU went;
     * with each a class histogram of its heap, what it holds with every claim Bound.
     */
    private static void dumpProfiles(ProcessCluster cluster) throws Exception {
        String dir = System.getProperty("workdisk.pvc.profile");
        if (dir == null) {
            return;
        }
        for (JavaProcess jvm : cluster.jvms()) {
            new ProcessBuilder(
                            "jcmd", Long.toString(jvm.pid()), "JFR.dump", "filename=" + dir + "/" + jvm.pid() + ".jfr")
                    .inheritIO()
                    .start()
                    .waitFor();
            new ProcessBuilder("jcmd", Long.toString(jvm.pid()), "GC.class_histogram")
                    .redirectOutput(Path.of(dir, jvm.pid() + ".histogram").toFile())
                    .start()
                    .waitFor();
        }
    }

    /**
     * Every thread of process {@code pid} at niceness {@code nice} (the threads it starts later, and the programs
     * they run, inherit it): with {@code -Dworkdisk.pvc.driverNice=N} the operator and agents yield the two cores
     * to the control plane, roughly as if it had cores of its own, as on a cluster.
     */
    private static void renice(long pid, int nice) throws Exception {
        List<String> command = new ArrayList<>(List.of("renice", "-n", Integer.toString(nice)));
        try (var threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            threads.forEach(t -> command.addAll(List.of("-p", t.getFileName().toString())));
        }
        int exit = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
        assertThat(exit).as("renice of %s", pid).isZero();
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

    private static String key(ObjectMeta meta) {
        return meta.getNamespace() + "/" + meta.getName();
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.dsl.Watchable;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Claims of the driver's WaitForFirstConsumer class provisioned by the real scheduler, controller-manager and
 * csi-provisioner through the operator's CSI controller service, with the operator or an agent (each a process of
 * its own) SIGKILLed while the CreateVolume calls are in flight and started again, as a crashed pod is: every
 * claim ends Bound to a volume of its own, no volume is lost (a PV without its disk, an image without its
 * WorkDisk) and none is made twice (two disks for one volume name, a disk no PV names), whatever the
 * provisioner's retries with the same name did meanwhile.
 */
@ExtendWith(SharedApiServer.class)
class ProvisioningKillTest {
    private static final String NS = "default";
    private static final String CLASS = "workdisk";
    private static final List<String> NODES = List.of("node-a", "node-b");
    /** mkfs.ext4 made slower (the real one still does the work): each disk takes long enough to be killed in. */
    private static final String SLOW_MKFS = "sleep 0.4\n\"$REAL\" \"$@\"\nrc=$?\nsleep 0.4\nexit $rc\n";

    @TempDir
    static Path tmp;

    static RealApiServer api;
    static ProcessCluster cluster;
    static ControlPlane plane;
    static KubernetesClient kube;

    /** Every uid each WorkDisk name has had in this test: more than one is a volume made twice. */
    final Map<String, Set<String>> uidsByName = new ConcurrentHashMap<>();

    Watch disksWatch;
    long auditMark;

    @BeforeAll
    static void start(RealApiServer server) throws Exception {
        api = server;
        api.reset(); // no Node or claim of another class's run for the scheduler to use
        // the logs outlive the test's directory, for a failure to be read
        Path logs = Path.of("target", "provisioning-kill").toAbsolutePath();
        Shell.ok("rm", "-rf", logs.toString());
        cluster = new ProcessCluster(logs.resolve("processes"), api);
        plane = new ControlPlane(api, logs.resolve("control-plane"));
        cluster.withEnv(
                "WORKDISK_TOOLS_DIR",
                JavaProcess.toolsDirWith(tmp.resolve("slow-tools"), "mkfs.ext4", SLOW_MKFS)
                        .toString());
        kube = cluster.client();
        for (String node : NODES) {
            cluster.addNode(new ProcessCluster.Node(node, tmp.resolve(node), List.of(), 2));
            plane.node(node);
        }
        plane.csiDriver();
        kube.resource(Claims.storageClass(CLASS, Map.of())).create();
        Path socket = tmp.resolve("csi/controller.sock");
        cluster.startOperator("--no-leader-election", "--csi-socket", socket.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(socket));
        plane.controllerManager().scheduler().provisioner(socket, ProcessCluster.NAMESPACE);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kube.resources(WorkNode.class).list().getItems().stream()
                                .filter(n -> n.getStatus() != null
                                        && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                                .count()
                        == NODES.size());
        // the scheduler places a claim only on a node the provisioner has published room for
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kube.storage().v1().csiStorageCapacities().inAnyNamespace().list().getItems().stream()
                                .filter(c -> c.getCapacity() != null
                                        && !c.getCapacity().getAmount().equals("0"))
                                .count()
                        == NODES.size());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (plane != null) {
                plane.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            api.reset(); // no finalizer of a stopped operator left for the next class
        }
    }

    @BeforeEach
    void watchDisks() {
        auditMark = api.audit().mark();
        disksWatch = kube.resources(WorkDisk.class)
                .inAnyNamespace()
                .watch(Watchers.anyChange(d -> uidsByName
                        .computeIfAbsent(ProvisionedVolumes.key(d), k -> ConcurrentHashMap.newKeySet())
                        .add(d.getMetadata().getUid())));
    }

    @AfterEach
    void removeClaims() {
        disksWatch.close();
        kube.pods().inNamespace(NS).withGracePeriod(0).delete();
        kube.persistentVolumeClaims().inNamespace(NS).delete();
        awaitThat(
                "every disk and PV gone with its claim",
                Duration.ofSeconds(90),
                () -> kube.resources(WorkDisk.class)
                                .inAnyNamespace()
                                .list()
                                .getItems()
                                .isEmpty()
                        && kube.persistentVolumes().list().getItems().isEmpty());
    }

    /** When the operator is killed: as the first disks are created, or as the first PVs are made from them. */
    enum Moment {
        /** The fifth WorkDisk created: the other CreateVolume calls in flight, no disk formatted yet. */
        AS_THE_DISKS_ARE_CREATED,
        /** The fifth PV made: some disks Ready and answered, others being formatted or waited for. */
        AS_THE_PVS_ARE_MADE
    }

    @ParameterizedTest
    @EnumSource(Moment.class)
    void theOperatorKilledWhileVolumesAreBeingMadeLosesNoneAndMakesNoneTwice(Moment moment) throws Exception {
        int claims = 20;
        long operatorPid = cluster.operator().pid();
        Watchable<?> appearing = moment == Moment.AS_THE_DISKS_ARE_CREATED
                ? kube.resources(WorkDisk.class).inNamespace(NS)
                : kube.persistentVolumes();
        Map<String, Long> atTheKill = killAtTheFifth(
                appearing,
                () -> ProcessHandle.of(operatorPid).ifPresent(ProcessHandle::destroyForcibly),
                () -> applyClaims(moment == Moment.AS_THE_DISKS_ARE_CREATED ? "early" : "late", claims, null));
        cluster.killOperator(); // dead already: this reaps it
        assertThat(atTheKill.get("pvs"))
                .as("the kill landed before every volume was made: %s", atTheKill)
                .isLessThan(claims);
        cluster.startOperator();

        assertNoVolumeLostOrMadeTwice(claims);
        System.out.printf(
                "operator killed %s at %s; the provisioner started %d times%n",
                moment, atTheKill, plane.starts("csi-provisioner"));
    }

    @Test
    void claimsDeletedWhileTheOperatorIsDownLeaveNoDiskBehind() throws Exception {
        int claims = 10;
        long operatorPid = cluster.operator().pid();
        Map<String, Long> atTheKill = killAtTheFifth(
                kube.resources(WorkDisk.class).inNamespace(NS),
                () -> ProcessHandle.of(operatorPid).ifPresent(ProcessHandle::destroyForcibly),
                () -> applyClaims("gone", claims, null));
        cluster.killOperator(); // dead already: this reaps it
        // the users give up on half the claims while nothing answers the provisioner: their disks were asked for
        // (some made), their PVs never will be
        List<String> givenUp = List.of("gone-0", "gone-1", "gone-2", "gone-3", "gone-4");
        for (String name : givenUp) {
            kube.pods().inNamespace(NS).withName(name).withGracePeriod(0).delete();
            kube.persistentVolumeClaims().inNamespace(NS).withName(name).delete();
        }
        awaitThat(
                "the given-up claims gone",
                Duration.ofSeconds(30),
                () -> givenUp.stream().allMatch(n -> Claims.get(kube, NS, n) == null));
        cluster.startOperator();

        int kept = claims - givenUp.size();
        awaitThat("the other claims Bound", Duration.ofSeconds(120), () -> boundClaims() == kept);
        try {
            // the given-up claims' disks are taken back once older than the controller's grace (30 s, swept every 15 s)
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> volumes().assertOnePerVolume(kept));
            await().during(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> volumes().assertOnePerVolume(kept));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
        }
        awaitThat(
                "the given-up disks' images removed",
                Duration.ofSeconds(30),
                () -> volumes()
                        .images()
                        .equals(new TreeSet<>(kube.resources(WorkDisk.class).inNamespace(NS).list().getItems().stream()
                                .map(d -> d.getStatus().path())
                                .toList())));
        assertThat(ProcessCluster.leftovers(NODES.stream().map(tmp::resolve).toArray(Path[]::new)))
                .as("no staging, undo or partial files in the data roots")
                .isEmpty();
        System.out.printf("operator killed at %s; %s deleted while it was down%n", atTheKill, givenUp);
    }

    @Test
    void theProvisionerKilledAndRestartedAsksAgainWithTheSameNamesAndGetsTheSameDisks() throws Exception {
        int claims = 20;
        int startsBefore = plane.starts("csi-provisioner");
        Map<String, Long> atTheKill = killAtTheFifth(
                kube.resources(WorkDisk.class).inNamespace(NS),
                () -> plane.kill("csi-provisioner"),
                () -> applyClaims("prov", claims, null));
        assertThat(atTheKill.get("pvs"))
                .as("the kill landed before every volume was made: %s", atTheKill)
                .isLessThan(claims);
        awaitThat(
                "the provisioner started again",
                Duration.ofSeconds(30),
                () -> plane.starts("csi-provisioner") > startsBefore);

        assertNoVolumeLostOrMadeTwice(claims);
        System.out.printf("provisioner killed at %s%n", atTheKill);
    }

    /**
     * Applies the claims and kills the process from a watch the moment the fifth object appears (sooner than a
     * poll would see it on a busy machine); what the cluster held just after the kill.
     */
    private static <T> Map<String, Long> killAtTheFifth(Watchable<T> appearing, Runnable kill, Runnable apply)
            throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger seen = new AtomicInteger();
        try (Watch trigger = appearing.watch(Watchers.added(o -> {
            if (seen.incrementAndGet() >= 5 && killed.compareAndSet(false, true)) {
                kill.run();
            }
        }))) {
            apply.run();
            awaitThat("the kill", Duration.ofSeconds(90), killed::get);
        }
        Map<String, Long> atTheKill = new TreeMap<>();
        atTheKill.put("disks", (long)
                kube.resources(WorkDisk.class).inNamespace(NS).list().getItems().size());
        atTheKill.put("ready", readyDisks());
        atTheKill.put("pvs", (long) kube.persistentVolumes().list().getItems().size());
        return atTheKill;
    }

    @Test
    void anAgentKilledWhileItFormatsLosesNoVolumeAndLeavesNothingBehind() throws Exception {
        int claims = 8;
        String node = "node-a";
        applyClaims("ag", claims, node);
        long agentPid = cluster.agent(node).pid();
        // a tool of the agent's running (the slowed mkfs.ext4) and a disk or two done: the agent is mid-way
        awaitThat(
                "the agent formatting with some disks Ready",
                Duration.ofSeconds(90),
                () -> readyDisks() >= 2
                        && ProcessHandle.of(agentPid)
                                .map(h -> h.descendants().findAny().isPresent())
                                .orElse(false),
                Duration.ofMillis(5));
        long readyAtTheKill = readyDisks();
        cluster.killAgent(node);
        assertThat(readyAtTheKill)
                .as("the kill landed before every disk was made")
                .isLessThan(claims);
        cluster.startAgent(node);

        List<WorkDisk> disks = assertNoVolumeLostOrMadeTwice(claims);
        assertThat(disks).allSatisfy(d -> assertThat(d.getStatus().nodeName()).isEqualTo(node));
        for (WorkDisk disk : disks) {
            Shell.assertFsckClean(Path.of(disk.getStatus().path()));
        }
        System.out.printf("agent killed with %d of %d disks Ready%n", readyAtTheKill, claims);
    }

    /** Every claim Bound, then what {@link ProvisionedVolumes#assertNoneLostOrMadeTwice} checks. */
    private List<WorkDisk> assertNoVolumeLostOrMadeTwice(int claims) throws Exception {
        awaitThat("every claim Bound", Duration.ofSeconds(120), () -> boundClaims() == claims);
        return volumes().assertNoneLostOrMadeTwice(claims, () -> api.audit().since(auditMark), uidsByName);
    }

    private static ProvisionedVolumes volumes() {
        return new ProvisionedVolumes(kube, NS, NODES.stream().map(tmp::resolve).toList(), cluster::logs);
    }

    /** {@code count} claims with their pods, created at once; pinned to {@code node} if not null. */
    private static void applyClaims(String prefix, int count, String node) {
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            kube.resource(Claims.claim(NS, name, CLASS, "64Mi")).create();
            Pod pod = Claims.podUsing(NS, name, name);
            if (node != null) {
                pod = new PodBuilder(pod)
                        .editSpec()
                        .withNodeSelector(Map.of("kubernetes.io/hostname", node))
                        .endSpec()
                        .build();
            }
            kube.resource(pod).create();
        }
    }

    private static long boundClaims() {
        return kube.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
                .filter(Claims::bound)
                .count();
    }

    private static long readyDisks() {
        return kube.resources(WorkDisk.class).inNamespace(NS).list().getItems().stream()
                .filter(d -> d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready)
                .count();
    }

    private static void awaitThat(String what, Duration atMost, java.util.concurrent.Callable<Boolean> done) {
        awaitThat(what, atMost, done, Duration.ofMillis(100));
    }

    /** Waits for {@code done}; if it never comes, fails with what the processes and components said. */
    private static void awaitThat(
            String what, Duration atMost, java.util.concurrent.Callable<Boolean> done, Duration poll) {
        try {
            await(what).atMost(atMost).pollInterval(poll).until(done);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + cluster.logs() + "\n" + componentLogs(), e);
        }
    }

    private static String componentLogs() {
        StringBuilder all = new StringBuilder();
        for (String component : List.of("csi-provisioner", "kube-scheduler", "kube-controller-manager")) {
            try {
                List<String> lines = Files.readAllLines(plane.log(component));
                all.append("--- ").append(component).append('\n');
                lines.subList(Math.max(0, lines.size() - 30), lines.size())
                        .forEach(l -> all.append(l).append('\n'));
            } catch (java.io.IOException e) {
                all.append("--- ").append(component).append(": no log\n");
            }
        }
        return all.toString();
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.csi.CsiNode;
import io.workdisk.agent.csi.HostSupport;
import io.workdisk.agent.csi.cluster.DisksFromTasks;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.HostLeftovers;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.csi.CsiSocketChannels;
import io.workdisk.csi.protocol.NodeGrpc;
import io.workdisk.csi.protocol.NodePublishVolumeRequest;
import io.workdisk.csi.protocol.NodeUnpublishVolumeRequest;
import io.workdisk.csi.protocol.VolumeCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PVC of the driver's WaitForFirstConsumer class goes the whole way with the components a cluster runs: the
 * real kube-scheduler picks a node with room by the CSIStorageCapacity the real csi-provisioner publishes from
 * GetCapacity, the provisioner calls CreateVolume for that node, the operator and the node's agent make the
 * WorkDisk there, the PV's node affinity names the node, the volume controllers bind the claim, and the Pod is
 * bound to that node; deleting the claim deletes the disk and its image.
 */
@ExtendWith(SharedApiServer.class)
class PvcProvisioningTest {
    private static final long MIB = 1L << 20;
    private static final String NS = "default";
    private static final String CLASS = "workdisk";
    private static final String SEEDED_CLASS = "workdisk-root";
    private static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";

    @TempDir
    static Path tmp;

    static Path images;
    static RealApiServer api;
    static VolumeStack stack;
    static KubernetesClient kube;

    @BeforeAll
    static void start(RealApiServer server) throws Exception {
        api = server;
        Map<String, Long> nodes = new LinkedHashMap<>();
        nodes.put("node-a", 1024 * MIB);
        nodes.put("node-b", 256 * MIB);
        images = Rootfs.ofFixture(tmp).getParent();
        stack = VolumeStack.start(api, tmp, nodes, List.of(images));
        kube = stack.kube();
        kube.resource(Claims.storageClass(CLASS, Map.of())).create();
        kube.resource(Claims.storageClass(SEEDED_CLASS, Map.of("seedRef", "root", "presentation", "mounted")))
                .create();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            // a failed test leaves no mount on the machine
            HostLeftovers.unmountUnder(tmp);
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @AfterEach
    void removeClaims() {
        kube.pods().inNamespace(NS).withGracePeriod(0).delete();
        kube.persistentVolumeClaims().inNamespace(NS).delete();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kube.resources(WorkDisk.class)
                                .inAnyNamespace()
                                .list()
                                .getItems()
                                .isEmpty()
                        && kube.persistentVolumes().list().getItems().isEmpty());
    }

    @Test
    void theSchedulerPutsTheClaimOnTheNodeWithRoomAndTheDiskIsMadeThere() {
        // only node-a has room for 512Mi: the scheduler must see that from the published capacity
        kube.resource(Claims.claim(NS, "data", CLASS, "512Mi")).create();
        kube.resource(Claims.podUsing(NS, "vm", "data")).create();

        PersistentVolumeClaim claim = awaitBound("data");
        assertThat(awaitNodeName("vm")).isEqualTo("node-a");
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("volume.kubernetes.io/selected-node", "node-a");
        PersistentVolume pv = kube.persistentVolumes()
                .withName(claim.getSpec().getVolumeName())
                .get();
        assertThat(Claims.affinityNodes(pv)).containsExactly("node-a");
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
        assertThat(Quantity.getAmountInBytes(pv.getSpec().getCapacity().get("storage")))
                .isEqualByComparingTo(Long.toString(512 * MIB));

        WorkDisk disk = Claims.disk(kube, claim).orElseThrow();
        assertThat(disk.getStatus().phase()).isEqualTo(DiskPhase.Ready);
        assertThat(disk.getStatus().nodeName()).isEqualTo("node-a");
        assertThat(disk.getStatus().capacityBytes()).isEqualTo(512 * MIB);
        assertThat(disk.getMetadata().getAnnotations()).containsEntry("workdisk.io/pvc", "data");
        assertThat(Path.of(disk.getStatus().path()))
                .startsWith(tmp.resolve("node-a"))
                .exists();
    }

    @Test
    void deletingTheClaimDeletesTheDiskAndItsImage() {
        kube.resource(Claims.claim(NS, "scratch", CLASS, "64Mi")).create();
        kube.resource(Claims.podUsing(NS, "runner", "scratch")).create();
        PersistentVolumeClaim claim = awaitBound("scratch");
        WorkDisk disk = await().atMost(Duration.ofSeconds(10))
                .until(() -> Claims.disk(kube, claim).orElse(null), d -> d != null);
        Path image = Path.of(disk.getStatus().path());
        assertThat(image).exists();

        kube.pods().inNamespace(NS).withName("runner").withGracePeriod(0).delete();
        kube.persistentVolumeClaims().inNamespace(NS).withName("scratch").delete();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(kube.persistentVolumes()
                            .withName(claim.getSpec().getVolumeName())
                            .get())
                    .as("the PV, reclaimed by Delete")
                    .isNull();
            assertThat(Claims.disk(kube, claim)).as("the WorkDisk").isEmpty();
        });
        assertThat(image).as("the image file").doesNotExist();
        assertThat(image.getParent())
                .satisfies(dir -> assertThat(Files.list(dir)).isEmpty());
    }

    @Test
    void aClaimOfASeedsClassGetsADiskHoldingTheSeedsFiles() throws Exception {
        kube.resource(Manifests.seed("root", images.resolve("rootfs.ext4"))).create();
        Waits.seedReady(kube, "root");
        // the fixture's seed is a 512Mi filesystem: a disk from it is at least that big
        kube.resource(Claims.claim(NS, "home", SEEDED_CLASS, "512Mi")).create();
        kube.resource(Claims.podUsing(NS, "dev", "home")).create();

        PersistentVolumeClaim claim = awaitBound("home");
        WorkDisk disk = Claims.disk(kube, claim).orElseThrow();
        assertThat(disk.getSpec().seedRef()).isEqualTo("root");
        assertThat(disk.getStatus().phase()).isEqualTo(DiskPhase.Ready);
        Path image = Path.of(disk.getStatus().path());
        Shell.assertFsckClean(image);
        TreeAssert.assertSameTree(tmp.resolve("rootfs-tree/root"), DebugfsTree.read(image, tmp));
        kube.resources(WorkSeed.class).withName("root").delete();
    }

    @Test
    void aClaimNoNodeHasRoomForWaitsUnscheduledAndGoesThroughOnceRoomIsFreed() {
        // node-a: 1Gi of which 768Mi taken by a disk of its own; node-b: 256Mi. Neither has room for 512Mi.
        kube.resource(Manifests.disk(NS, "filler", WorkDiskSpec.ofSize("768Mi").withNodeName("node-a")))
                .create();
        Waits.phase(kube, "filler", DiskPhase.Ready);
        stack.awaitThat(
                "node-a's published room down to 256Mi",
                Duration.ofSeconds(20),
                () -> stack.publishedRoom(CLASS, "node-a"),
                room -> room == 256 * MIB);
        kube.resource(Claims.claim(NS, "big", CLASS, "512Mi")).create();
        kube.resource(Claims.podUsing(NS, "big-vm", "big")).create();

        PodCondition unscheduled = stack.awaitThat(
                "the pod Unschedulable",
                Duration.ofSeconds(30),
                () -> Claims.scheduled(
                                kube.pods().inNamespace(NS).withName("big-vm").get())
                        .orElse(null),
                c -> "False".equals(c.getStatus()));
        assertThat(unscheduled.getReason()).isEqualTo("Unschedulable");
        assertThat(unscheduled.getMessage()).contains("2 node(s) did not have enough free storage");
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
            assertThat(kube.resources(WorkDisk.class).inNamespace(NS).list().getItems())
                    .as("no disk made for it")
                    .extracting(d -> d.getMetadata().getName())
                    .containsExactly("filler");
            assertThat(Claims.get(kube, NS, "big").getStatus().getPhase()).isEqualTo("Pending");
        });

        kube.resources(WorkDisk.class).inNamespace(NS).withName("filler").delete();
        PersistentVolumeClaim claim = awaitBound("big");
        assertThat(awaitNodeName("big-vm")).isEqualTo("node-a");
        assertThat(Claims.disk(kube, claim).orElseThrow().getStatus().nodeName())
                .isEqualTo("node-a");
    }

    @Test
    void manyClaimsAtOnceNeverGiveANodeMoreThanItHas() {
        // node-a has room for eight 128Mi disks, node-b for two: of twelve claims applied at once, ten fit
        for (int i = 0; i < 12; i++) {
            kube.resource(Claims.claim(NS, "many-" + i, CLASS, "128Mi")).create();
            kube.resource(Claims.podUsing(NS, "many-vm-" + i, "many-" + i)).create();
        }
        stack.awaitThat("ten claims Bound", Duration.ofSeconds(60), this::boundClaims, b -> b.size() == 10);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
            assertThat(boundClaims()).as("no eleventh").hasSize(10);
            assertThat(disksPerNode()).containsExactlyInAnyOrderEntriesOf(Map.of("node-a", 8L, "node-b", 2L));
        });
        for (WorkDisk disk :
                kube.resources(WorkDisk.class).inNamespace(NS).list().getItems()) {
            assertThat(disk.getStatus().phase()).isEqualTo(DiskPhase.Ready);
        }
        stack.awaitThat(
                "no room published on either node",
                Duration.ofSeconds(15),
                () -> stack.publishedRoom(CLASS, "node-a") + stack.publishedRoom(CLASS, "node-b"),
                room -> room == 0);

        // two claims on node-a go: the two waiting ones take their room
        List<PersistentVolumeClaim> onA = boundClaims().stream()
                .filter(c -> "node-a".equals(c.getMetadata().getAnnotations().get(SELECTED_NODE)))
                .limit(2)
                .toList();
        for (PersistentVolumeClaim claim : onA) {
            String index = claim.getMetadata().getName().substring("many-".length());
            kube.pods()
                    .inNamespace(NS)
                    .withName("many-vm-" + index)
                    .withGracePeriod(0)
                    .delete();
            kube.resource(claim).delete();
        }
        stack.awaitThat(
                "the two waiting claims Bound once room was freed",
                Duration.ofSeconds(60),
                this::boundClaims,
                b -> b.size() == 10
                        && b.stream()
                                .noneMatch(c -> onA.stream()
                                        .anyMatch(gone -> gone.getMetadata()
                                                .getName()
                                                .equals(c.getMetadata().getName()))));
        assertThat(disksPerNode()).containsExactlyInAnyOrderEntriesOf(Map.of("node-a", 8L, "node-b", 2L));
    }

    @Test
    void aLargerClaimGrowsTheDiskAndWaitsWhileAPodHasItPublished() throws Exception {
        Requirements.need(HostSupport.canLoopMount(tmp), HostSupport.whyNot(tmp));
        kube.resource(Claims.claim(NS, "grown", CLASS, "64Mi")).create();
        kube.resource(Claims.podUsing(NS, "grower", "grown")).create();
        PersistentVolumeClaim claim = awaitBound("grown");
        WorkDisk disk = Claims.disk(kube, claim).orElseThrow();
        Path image = Path.of(disk.getStatus().path());
        Kubectl kubectl = Kubectl.of(api, tmp);

        // not published: the claim's new size reaches the disk and comes back as the claim's capacity
        patchSize(kubectl, "grown", "128Mi");
        awaitCapacity("grown", 128 * MIB);
        assertThat(Files.size(image)).isEqualTo(128 * MIB);
        assertThat(Claims.disk(kube, claim).orElseThrow().getStatus().capacityBytes())
                .isEqualTo(128 * MIB);

        // published to a pod by the node's CSI service: the next growth waits, and the claim's events say why
        String node = disk.getStatus().nodeName();
        Path kubelet = Files.createDirectories(tmp.resolve("kubelet/pods"));
        Path target = kubelet.resolve("p-1/volumes/grown");
        Files.createDirectories(target.getParent());
        String volumeId = kube.persistentVolumes()
                .withName(claim.getSpec().getVolumeName())
                .get()
                .getSpec()
                .getCsi()
                .getVolumeHandle();
        try (CsiNode csi = CsiNode.start(
                        CsiNode.Settings.of(
                                node, tmp.resolve("node.sock"), tmp.resolve("kubelet"), tmp.resolve(node), "test"),
                        new DisksFromTasks(kube, node, tmp.resolve(node)),
                        Clock.systemUTC(),
                        stack.agents.get(node)::reportSoon);
                CsiSocketChannels channel = CsiSocketChannels.to(tmp.resolve("node.sock"))) {
            NodeGrpc.NodeBlockingStub nodeService = NodeGrpc.newBlockingStub(channel.channel());
            nodeService.nodePublishVolume(NodePublishVolumeRequest.newBuilder()
                    .setVolumeId(volumeId)
                    .setTargetPath(target.toString())
                    .setVolumeCapability(VolumeCapability.newBuilder()
                            .setMount(VolumeCapability.MountVolume.getDefaultInstance())
                            .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                                    .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)))
                    .putVolumeContext("csi.storage.k8s.io/pod.name", "grower")
                    .putVolumeContext("csi.storage.k8s.io/pod.namespace", NS)
                    .putVolumeContext("csi.storage.k8s.io/pod.uid", "pod-uid-1")
                    .build());
            try {
                stack.awaitThat(
                        "the publication on the disk's status",
                        Duration.ofSeconds(10),
                        () -> Claims.disk(kube, claim).orElseThrow().getStatus().publishedTo(),
                        p -> !p.isEmpty());

                patchSize(kubectl, "grown", "192Mi");
                Event said = stack.awaitThat(
                        "the resizer's event saying why the claim waits",
                        Duration.ofSeconds(30),
                        () -> kube.v1().events().inNamespace(NS).list().getItems().stream()
                                .filter(e -> e.getInvolvedObject().getName().equals("grown"))
                                .filter(e ->
                                        e.getMessage() != null && e.getMessage().contains("in use by pod"))
                                .findFirst()
                                .orElse(null),
                        e -> true);
                assertThat(said.getReason()).isEqualTo("VolumeResizeFailed");
                assertThat(said.getMessage())
                        .contains("is in use by pod " + NS + "/grower on " + node
                                + "; the resize to 192Mi waits for it to stop");
                await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> {
                            assertThat(Files.size(image))
                                    .as("the image, while published")
                                    .isEqualTo(128 * MIB);
                            assertThat(capacity("grown"))
                                    .as("the claim's capacity")
                                    .isEqualTo(128 * MIB);
                        });

            } finally {
                nodeService.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder()
                        .setVolumeId(volumeId)
                        .setTargetPath(target.toString())
                        .build());
            }
            // the pod stops: unpublished above, then gone; the resizer, which held the claim back while a pod used
            // it (FAILED_PRECONDITION is the spec's "in use" for a driver that grows offline), asks again
            kube.pods().inNamespace(NS).withName("grower").withGracePeriod(0).delete();
            awaitCapacity("grown", 192 * MIB);
            assertThat(Files.size(image)).as("grown once unpublished").isEqualTo(192 * MIB);
        }
    }

    /** {@code kubectl patch pvc} to a new requested size, as a user grows a claim. */
    private static void patchSize(Kubectl kubectl, String claim, String size) {
        kubectl.ok(
                "patch",
                "pvc",
                claim,
                "-n",
                NS,
                "-p",
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + size + "\"}}}}");
    }

    private static void awaitCapacity(String claim, long bytes) {
        stack.awaitThat(
                "claim " + claim + " at " + bytes + " bytes",
                Duration.ofSeconds(90),
                () -> capacity(claim),
                c -> c == bytes);
    }

    private static Long capacity(String claim) {
        var status = Claims.get(kube, NS, claim).getStatus();
        if (status == null
                || status.getCapacity() == null
                || status.getCapacity().get("storage") == null) {
            return null;
        }
        return Quantity.getAmountInBytes(status.getCapacity().get("storage")).longValue();
    }

    private List<PersistentVolumeClaim> boundClaims() {
        return kube.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
                .filter(Claims::bound)
                .toList();
    }

    private static Map<String, Long> disksPerNode() {
        return kube.resources(WorkDisk.class).inNamespace(NS).list().getItems().stream()
                .filter(d -> d.getStatus() != null && d.getStatus().nodeName() != null)
                .collect(java.util.stream.Collectors.groupingBy(
                        d -> d.getStatus().nodeName(), java.util.stream.Collectors.counting()));
    }

    private static String awaitNodeName(String pod) {
        return stack.awaitThat(
                        "pod " + pod + " bound to a node",
                        Duration.ofSeconds(30),
                        () -> kube.pods().inNamespace(NS).withName(pod).get(),
                        p -> p.getSpec().getNodeName() != null)
                .getSpec()
                .getNodeName();
    }

    private static PersistentVolumeClaim awaitBound(String name) {
        return stack.awaitThat(
                "claim " + name + " Bound", Duration.ofSeconds(60), () -> Claims.get(kube, NS, name), Claims::bound);
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.csi.HostSupport;
import io.workdisk.agent.testing.HostLeftovers;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.CsiSocketChannels;
import io.workdisk.csi.Presentation;
import io.workdisk.csi.protocol.IdentityGrpc;
import io.workdisk.csi.protocol.ProbeRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything around a real kubelet for the driver's tests, started once for a test class: the node ({@link
 * KubeletNode}); the agent of that node as its own process ({@code agent run --csi-socket
 * ROOT/plugins/workdisk.io/csi.sock --kubelet-dir ROOT}, as the chart runs it), its node service registered with
 * the kubelet; a second node without a kubelet (a Node object and its own agent process); the operator process
 * with {@code --csi-socket}, the driver's controller service; and the upstream controllers ({@link ControlPlane}:
 * binder, scheduler, csi-provisioner, csi-resizer). Two StorageClasses as the chart makes them: {@value #BLANK}
 * (blank disks, {@code disk.img} for Filesystem claims) and {@value #MOUNTED_FROM_SEED} (disks from a small seed,
 * mounted). Logs are kept in {@code target/kubelet-volumes}.
 */
final class KubeletCluster implements AutoCloseable {
    static final String NODE = "workdisk-kubelet";
    static final String OTHER_NODE = "node-elsewhere";
    static final String NAMESPACE = "default";
    static final String BLANK = "workdisk";
    static final String MOUNTED_FROM_SEED = "workdisk-files";
    static final String SEED = "files";
    static final String SEED_HELLO = "hello from the seed";

    private final Path dir;
    private final List<AutoCloseable> started = new ArrayList<>();
    private ProcessCluster cluster;
    private KubeletNode node;

    private KubeletCluster(Path dir) {
        this.dir = dir;
    }

    static KubeletCluster start(RealApiServer api, Path dir) throws Exception {
        Requirements.need(HostSupport.canLoopMount(dir), HostSupport.whyNot(dir));
        KubeletCluster c = new KubeletCluster(dir);
        try {
            c.startAll(api);
        } catch (Throwable e) {
            try {
                c.close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return c;
    }

    private void startAll(RealApiServer api) throws Exception {
        // the logs outlive the test's directory, for a failure to be read
        Path logs = Path.of("target", "kubelet-volumes").toAbsolutePath();
        Shell.ok("rm", "-rf", logs.toString());
        node = KubeletNode.start(NODE, api.writeKubeconfig(dir.resolve("kubeconfig")), logs);
        // the operator and the agents as the product's processes, with the flags the chart gives them
        cluster = new ProcessCluster(logs.resolve("processes"), api);
        ControlPlane plane = new ControlPlane(api, logs.resolve("control-plane"));
        started.add(plane);
        plane.csiDriver().node(OTHER_NODE);

        List<Path> images = List.of(seedImage());
        cluster.addAgent(new ProcessCluster.Node(
                NODE,
                dir.resolve(NODE),
                images,
                2,
                List.of(
                        "--csi-socket",
                        node.pluginSocket(CsiDriver.NAME).toString(),
                        "--kubelet-dir",
                        node.root().toString())));
        cluster.addAgent(new ProcessCluster.Node(OTHER_NODE, dir.resolve(OTHER_NODE), images, 2));
        Path controllerSocket = dir.resolve("controller.sock");
        cluster.startOperator("--csi-socket", controllerSocket.toString());
        node.register(CsiDriver.NAME, this::registered, Duration.ofSeconds(90));
        answering(controllerSocket);
        plane.controllerManager()
                .scheduler()
                .provisioner(controllerSocket, "workdisk-system")
                .resizer(controllerSocket);

        KubernetesClient kube = client();
        storageClass(BLANK, Map.of());
        kube.resource(Manifests.seed(SEED, images.get(0).resolve("files.ext4"))).create();
        storageClass(
                MOUNTED_FROM_SEED, Map.of(CsiDriver.PRESENTATION, Presentation.MOUNTED.parameter(), "seedRef", SEED));
        // pods need their ServiceAccount; no controller-manager here makes the default one
        kube.resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("default")
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .build())
                .serverSideApply();
        untaintReady(NODE);
        untaintReady(OTHER_NODE);
        Waits.seedReady(kube, SEED);
    }

    /**
     * Waits until the operator's controller service answers a Probe within the second csi-provisioner and
     * csi-resizer give a driver: on a loaded machine a JVM just started can take longer over its first
     * connection, and those sidecars then exit (in a cluster their containers would be restarted; here nothing
     * restarts them).
     */
    private static void answering(Path socket) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    try (CsiSocketChannels channel = CsiSocketChannels.to(socket)) {
                        return IdentityGrpc.newBlockingStub(channel.channel())
                                .withDeadlineAfter(1, TimeUnit.SECONDS)
                                .probe(ProbeRequest.getDefaultInstance())
                                .getReady()
                                .getValue();
                    }
                });
    }

    /**
     * SIGKILLs the kubelet node's agent (its node service with it) and starts it again with the same flags; returns
     * once its node service answers again on the kubelet's plugin socket.
     */
    void killAndRestartAgent() throws Exception {
        cluster.killAgent(NODE);
        cluster.startAgent(NODE);
        answering(node.pluginSocket(CsiDriver.NAME));
    }

    /** Whether the kubelet's CSINode lists the driver: the kubelet has called NodeGetInfo. */
    private boolean registered() {
        var csiNode = client().storage().v1().csiNodes().withName(NODE).get();
        return csiNode != null
                && csiNode.getSpec().getDrivers() != null
                && csiNode.getSpec().getDrivers().stream()
                        .anyMatch(d -> d.getName().equals(CsiDriver.NAME));
    }

    /**
     * Removes the {@code node.kubernetes.io/not-ready} taint from a Ready node, as the node lifecycle controller
     * would: the API server's TaintNodesByCondition admission puts it on every new Node, and that controller is
     * left off here (it would mark the Node without a kubelet NotReady, having no heartbeat from it).
     */
    private void untaintReady(String name) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var n = client().nodes().withName(name).get();
            return n != null
                    && n.getStatus() != null
                    && n.getStatus().getConditions() != null
                    && n.getStatus().getConditions().stream()
                            .anyMatch(c ->
                                    c.getType().equals("Ready") && c.getStatus().equals("True"));
        });
        client().nodes().withName(name).edit(n -> {
            if (n.getSpec().getTaints() != null) {
                n.getSpec().getTaints().removeIf(t -> t.getKey().equals("node.kubernetes.io/not-ready"));
            }
            return n;
        });
    }

    /** A small rootfs whose /root the seed takes: a file and a directory the mounted claim must show. */
    private Path seedImage() throws IOException {
        Path tree = dir.resolve("seed-tree");
        Files.createDirectories(tree.resolve("root/etc"));
        Files.writeString(tree.resolve("root/hello.txt"), SEED_HELLO + "\n");
        Files.writeString(tree.resolve("root/etc/motd"), "welcome\n");
        Path images = Files.createDirectories(dir.resolve("images"));
        Rootfs.make(tree, images.resolve("files.ext4"), 16, Rootfs.Layout.EXT4_DEFAULT);
        return images;
    }

    private void storageClass(String name, Map<String, String> parameters) {
        client().resource(Claims.storageClass(name, parameters)).serverSideApply();
    }

    KubernetesClient client() {
        return cluster.client();
    }

    VolumePods pods() {
        return new VolumePods(client(), NAMESPACE, node);
    }

    String nodeName() {
        return NODE;
    }

    Path kubeletRoot() {
        return node.root();
    }

    /** The PV bound to {@code claim}, once it is. */
    PersistentVolume boundVolume(String claim) {
        String volume = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            PersistentVolumeClaim c = client().persistentVolumeClaims()
                                    .inNamespace(NAMESPACE)
                                    .withName(claim)
                                    .get();
                            return "Bound".equals(c.getStatus().getPhase())
                                    ? c.getSpec().getVolumeName()
                                    : null;
                        },
                        v -> v != null);
        return client().persistentVolumes().withName(volume).get();
    }

    /** The WorkDisk behind {@code claim}: named after its PV, in its namespace, Ready. */
    WorkDisk diskOf(String claim) {
        String name = boundVolume(claim).getMetadata().getName();
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> Waits.get(client(), name),
                        d -> d != null && d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready);
        return Waits.get(client(), name);
    }

    /**
     * A claim of the blank class whose disk is made on {@code nodeName}: the annotation the scheduler writes when
     * it places the claim's first consumer, read by csi-provisioner.
     */
    PersistentVolumeClaim claimOn(String claim, String nodeName) {
        return client().resource(new PersistentVolumeClaimBuilder(Claims.claim(NAMESPACE, claim, BLANK, "64Mi"))
                        .editMetadata()
                        .addToAnnotations("volume.kubernetes.io/selected-node", nodeName)
                        .endMetadata()
                        .build())
                .create();
    }

    /**
     * A PV written by hand for {@code volumeHandle} (no node affinity, as a hostile or careless user could write
     * it) and a claim pre-bound to it, both named {@code name}.
     */
    PersistentVolumeClaim handMadeClaim(String name, String volumeHandle) {
        client().resource(new PersistentVolumeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewSpec()
                        .withCapacity(Map.of("storage", new Quantity("64Mi")))
                        .withAccessModes("ReadWriteOnce")
                        .withPersistentVolumeReclaimPolicy("Retain")
                        .withStorageClassName("")
                        .withNewCsi()
                        .withDriver(CsiDriver.NAME)
                        .withVolumeHandle(volumeHandle)
                        .endCsi()
                        .withNewClaimRef()
                        .withNamespace(NAMESPACE)
                        .withName(name)
                        .endClaimRef()
                        .endSpec()
                        .build())
                .create();
        return client().resource(new PersistentVolumeClaimBuilder(Claims.claim(NAMESPACE, name, "", "64Mi"))
                        .editSpec()
                        .withVolumeName(name)
                        .endSpec()
                        .build())
                .create();
    }

    /** Asks for more room in {@code claim} and waits until csi-resizer reports it done (the WorkDisk grown). */
    void grow(String claim, String size) {
        client().persistentVolumeClaims().inNamespace(NAMESPACE).withName(claim).edit(c -> {
            c.getSpec().getResources().getRequests().put("storage", new Quantity(size));
            return c;
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            PersistentVolumeClaim c = client().persistentVolumeClaims()
                    .inNamespace(NAMESPACE)
                    .withName(claim)
                    .get();
            assertThat(c.getStatus().getCapacity())
                    .as("%s", c.getStatus())
                    .containsEntry("storage", new Quantity(size));
        });
        assertThat(diskOf(claim).getStatus().capacityBytes())
                .isGreaterThanOrEqualTo(
                        Quantity.getAmountInBytes(new Quantity(size)).longValueExact());
    }

    /** The Events of {@code object}, as "reason: message". */
    List<String> events(String object) {
        return client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> object.equals(e.getInvolvedObject().getName()))
                .map(e -> e.getReason() + ": " + e.getMessage())
                .toList();
    }

    /** The loop devices backed by {@code image} (losetup's own answer). */
    List<String> loopDevicesOf(Path image) {
        return Arrays.stream(Shell.ok("losetup", "-j", image.toString()).split("\n"))
                .filter(line -> !line.isBlank())
                .toList();
    }

    /** The mount points at or below {@code path}, from this machine's mount table. */
    List<String> mountsUnder(String path) {
        return HostLeftovers.mountsUnder(Path.of(path)).stream()
                .map(Path::toString)
                .toList();
    }

    /**
     * Pods first (the kubelet unpublishes their volumes while the node service still answers), then the kubelet,
     * the driver and everything else; whatever a failed run left mounted or attached under the test's directory
     * goes last.
     */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        if (node != null && cluster != null) {
            try {
                client().pods().inNamespace(NAMESPACE).delete();
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> client().pods()
                                .inNamespace(NAMESPACE)
                                .list()
                                .getItems()
                                .isEmpty());
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        List<AutoCloseable> order = new ArrayList<>();
        if (node != null) {
            order.add(node);
        }
        List<AutoCloseable> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        order.addAll(reversed);
        if (cluster != null) {
            order.add(cluster);
        }
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            HostLeftovers.takeDownUnder(dir);
        } catch (AssertionError e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
        if (failure != null) {
            throw failure;
        }
    }
}

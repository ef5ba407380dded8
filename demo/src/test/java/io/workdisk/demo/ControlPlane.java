package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.CSIDriverBuilder;
import io.fabric8.kubernetes.api.model.storage.CSINodeBuilder;
import io.fabric8.kubernetes.api.model.storage.CSINodeDriverBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.csi.CsiDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The upstream components around a CSI driver, each the real binary from {@code ../shared} run as a process
 * against the suite's API server (the way {@code ../shared/csi/README.md} starts them): the
 * kube-controller-manager's volume controllers (PV/PVC binding, expansion, protection), the kube-scheduler,
 * and the csi-provisioner and csi-resizer sidecars on the operator's controller socket. Also what a node's
 * kubelet and node-driver-registrar would write, for nodes that have no kubelet: the Node, its topology label
 * and its CSINode. A component that exits is started again, as the kubelet restarts a container (the sidecars
 * exit when they lose the driver's socket). Every process is stopped, and every object it made is left to the
 * test, on close.
 */
final class ControlPlane implements AutoCloseable {
    /** The controllers that bind, expand and protect volumes; the node lifecycle one would taint silent Nodes. */
    static final String VOLUME_CONTROLLERS = "persistentvolume-binder-controller,persistentvolume-expander-controller,"
            + "persistentvolume-protection-controller,persistentvolumeclaim-protection-controller";

    /** The provisioner's own request rate, as the chart sets it. */
    static final List<String> PROVISIONER_RATE = List.of("--kube-api-qps=200", "--kube-api-burst=400");

    private final KubernetesClient admin;
    private int controlPlaneQps = 100;
    private final Path dir;
    private final Path kubeconfig;
    private Path sidecarKubeconfig;
    private final List<Supervised> processes = new ArrayList<>();

    ControlPlane(RealApiServer api, Path dir) throws IOException {
        this.admin = api.newClient("control-plane-test");
        this.dir = Files.createDirectories(dir);
        this.kubeconfig = Files.writeString(dir.resolve("kubeconfig"), api.kubeconfigYaml());
        this.sidecarKubeconfig = kubeconfig;
    }

    /**
     * The identity the sidecars started after this call use, as a kubeconfig (in the chart they run in the
     * operator's pod, under its ServiceAccount); the controller-manager and scheduler stay the administrator.
     */
    ControlPlane sidecarsAs(String kubeconfigYaml) throws IOException {
        this.sidecarKubeconfig = Files.writeString(dir.resolve("sidecar-kubeconfig"), kubeconfigYaml);
        return this;
    }

    ControlPlane controllerManager() throws IOException {
        return start(
                "kube-controller-manager",
                Map.of(),
                SharedTools.require("kube", "kube-controller-manager").toString(),
                controlPlaneFlags("--controllers=" + VOLUME_CONTROLLERS));
    }

    ControlPlane scheduler() throws IOException {
        return start(
                "kube-scheduler",
                Map.of(),
                SharedTools.require("kube", "kube-scheduler").toString(),
                controlPlaneFlags());
    }

    /**
     * The request rate of the controller-manager and scheduler started after this call (default 100 QPS, burst
     * twice that: the rate Kubernetes' own PV binding measurement runs at, kubernetes/kubernetes#133352; at the
     * default 20 the binder alone needs minutes for a thousand claims, three writes each, one claim at a time).
     */
    ControlPlane controlPlaneRate(int qps) {
        this.controlPlaneQps = qps;
        return this;
    }

    /** What the controller-manager and the scheduler share: the administrator's kubeconfig, no lease, no port. */
    private String[] controlPlaneFlags(String... more) {
        List<String> flags = new ArrayList<>(List.of(
                "--kubeconfig=" + kubeconfig,
                "--leader-elect=false",
                "--secure-port=0",
                "--kube-api-qps=" + controlPlaneQps,
                "--kube-api-burst=" + 2 * controlPlaneQps));
        flags.addAll(List.of(more));
        return flags.toArray(String[]::new);
    }

    /**
     * The provisioner with the chart's flags on the controller socket; capacity objects are owned by nothing
     * (level -1), since here no Deployment owns the sidecar.
     */
    ControlPlane provisioner(Path controllerSocket, String namespace) throws IOException {
        return provisioner(controllerSocket, namespace, "csi-provisioner-test", -1);
    }

    /**
     * The provisioner as the chart runs it in pod {@code podName}: its capacity objects owned by the object
     * {@code ownerLevel} owners up from that pod (the chart's 2: the pod's ReplicaSet's Deployment).
     */
    ControlPlane provisioner(Path controllerSocket, String namespace, String podName, int ownerLevel)
            throws IOException {
        return start(
                "csi-provisioner",
                Map.of("POD_NAME", podName, "NAMESPACE", namespace),
                SharedTools.require("csi", "csi-provisioner").toString(),
                "--kubeconfig=" + sidecarKubeconfig,
                "--csi-address=" + controllerSocket,
                "--feature-gates=Topology=true",
                "--extra-create-metadata",
                "--default-fstype=ext4",
                "--enable-capacity",
                "--capacity-ownerref-level=" + ownerLevel,
                "--capacity-poll-interval=5s", // the chart's
                PROVISIONER_RATE.get(0), // the chart's (CsiChartTest)
                PROVISIONER_RATE.get(1),
                "--leader-election=false",
                "--worker-threads=" + System.getProperty("workdisk.pvc.provisionerWorkers", "100"),
                "--timeout=60s");
    }

    ControlPlane resizer(Path controllerSocket) throws IOException {
        return start(
                "csi-resizer",
                Map.of(),
                SharedTools.require("csi", "csi-resizer").toString(),
                "--kubeconfig=" + sidecarKubeconfig,
                "--csi-address=" + controllerSocket,
                "--leader-election=false",
                "--timeout=60s");
    }

    /** The CSIDriver object as the chart installs it. */
    ControlPlane csiDriver() {
        admin.resource(new CSIDriverBuilder()
                        .withNewMetadata()
                        .withName(CsiDriver.NAME)
                        .endMetadata()
                        .withNewSpec()
                        .withAttachRequired(false)
                        .withPodInfoOnMount(true)
                        .withStorageCapacity(true)
                        .withVolumeLifecycleModes("Persistent")
                        .endSpec()
                        .build())
                .serverSideApply();
        return this;
    }

    /**
     * A Node as a kubelet would keep it (Ready, room for pods, the driver's topology label) and its CSINode as
     * the node-driver-registrar would register it; for a node that runs an agent but no kubelet.
     */
    ControlPlane node(String name) {
        Map<String, Quantity> room =
                Map.of("cpu", new Quantity("64"), "memory", new Quantity("256Gi"), "pods", new Quantity("5000"));
        admin.resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(Map.of("kubernetes.io/hostname", name, CsiDriver.TOPOLOGY_KEY, name))
                        .endMetadata()
                        .build())
                .serverSideApply();
        admin.nodes()
                .withName(name)
                .editStatus(n -> new NodeBuilder(n)
                        .editOrNewStatus()
                        .withConditions(new NodeConditionBuilder()
                                .withType("Ready")
                                .withStatus("True")
                                .withReason("KubeletReady")
                                .withLastHeartbeatTime(Instant.now().toString())
                                .withLastTransitionTime(Instant.now().toString())
                                .build())
                        .withAllocatable(room)
                        .withCapacity(room)
                        .endStatus()
                        .build());
        // The API server's TaintNodesByCondition admission taints every new Node not-ready; the node lifecycle
        // controller lifts it once the node reports Ready. That controller is off here (it would taint Nodes that
        // send no heartbeats), so the taint is lifted as it would.
        admin.nodes()
                .withName(name)
                .edit(n -> new NodeBuilder(n)
                        .editSpec()
                        .withTaints(List.of())
                        .endSpec()
                        .build());
        admin.resource(new CSINodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewSpec()
                        .withDrivers(new CSINodeDriverBuilder()
                                .withName(CsiDriver.NAME)
                                .withNodeID(name)
                                .withTopologyKeys(CsiDriver.TOPOLOGY_KEY)
                                .build())
                        .endSpec()
                        .build())
                .serverSideApply();
        return this;
    }

    /** Where a component's output goes, for the failure message of the test that used it. */
    Path log(String component) {
        return dir.resolve(component + ".log");
    }

    /** How many times a component has been started (1 + its restarts), for tests that kill what it talks to. */
    int starts(String component) {
        return processes.stream()
                .filter(p -> p.component().equals(component))
                .mapToInt(Supervised::starts)
                .sum();
    }

    /** SIGKILLs a running component; it is started again as any component that exits (see {@link Supervised}). */
    void kill(String component) {
        processes.stream().filter(p -> p.component().equals(component)).forEach(Supervised::kill);
    }

    private ControlPlane start(String component, Map<String, String> env, String program, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(program));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(component).toFile()));
        builder.environment().putAll(env);
        processes.add(Supervised.start(component, builder));
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        for (Supervised process : processes) {
            process.stop();
        }
        processes.clear();
        admin.close();
    }
}

package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.storage.CSIStorageCapacity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.csi.CsiDriver;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.csi.CsiController;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * The whole path a PVC of the driver takes on a cluster, in one test JVM: the suite's API server, the upstream
 * components ({@link ControlPlane}: volume controllers, scheduler, csi-provisioner, csi-resizer), the operator
 * with the CSI controller service on a socket, and in-process agents on nodes of given room, each with its Node
 * and CSINode. One per test class: starting it costs seconds.
 */
final class VolumeStack implements AutoCloseable {
    static final String NAMESPACE = "workdisk-system";

    final LocalCluster cluster;
    final Map<String, NodeAgent> agents;
    final ControlPlane plane;
    final CsiController controller;
    final Path socket;

    private VolumeStack(
            LocalCluster cluster,
            Map<String, NodeAgent> agents,
            ControlPlane plane,
            CsiController controller,
            Path socket) {
        this.cluster = cluster;
        this.agents = agents;
        this.plane = plane;
        this.controller = controller;
        this.socket = socket;
    }

    /**
     * Nodes by name with their room in bytes; every agent's data root under {@code dir}, the components' logs in
     * {@code target/control-plane/}.
     */
    static VolumeStack start(RealApiServer api, Path dir, Map<String, Long> nodes, List<Path> imageDirs)
            throws Exception {
        LocalCluster cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings(NAMESPACE, 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        // the components' logs outlive the test's temporary directory, for a failed run to be read afterwards
        ControlPlane plane = new ControlPlane(
                api,
                Path.of("target", "control-plane", dir.getFileName().toString()).toAbsolutePath());
        CsiController controller = null;
        try {
            plane.csiDriver();
            Map<String, NodeAgent> agents = new LinkedHashMap<>();
            for (var node : nodes.entrySet()) {
                plane.node(node.getKey());
                agents.put(
                        node.getKey(),
                        cluster.addNode(
                                node.getKey(), Map.of(), dir.resolve(node.getKey()), imageDirs, node.getValue()));
            }
            cluster.startOperator();
            Path socket = dir.resolve("csi/controller.sock");
            controller = CsiController.start(cluster.client(), socket, "test", CsiController.DEFAULT_WAIT);
            plane.controllerManager().scheduler().provisioner(socket, NAMESPACE).resizer(socket);
            VolumeStack stack = new VolumeStack(cluster, agents, plane, controller, socket);
            stack.awaitNodesReady(nodes.size());
            return stack;
        } catch (Exception | Error e) {
            if (controller != null) {
                controller.close();
            }
            plane.close();
            cluster.close();
            throw e;
        }
    }

    KubernetesClient kube() {
        return cluster.client();
    }

    /** Every agent Ready and, for each, a CSIStorageCapacity the scheduler can count on. */
    private void awaitNodesReady(int count) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kube().resources(WorkNode.class).list().getItems().stream()
                                .filter(n -> n.getStatus() != null
                                        && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                                .count()
                        == count);
    }

    /** The room the provisioner has published for the scheduler on a node, for a class; null if none yet. */
    Long publishedRoom(String storageClass, String node) {
        return kube().storage().v1().csiStorageCapacities().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(c -> storageClass.equals(c.getStorageClassName()))
                .filter(c -> c.getNodeTopology() != null
                        && c.getNodeTopology().getMatchLabels() != null
                        && node.equals(c.getNodeTopology().getMatchLabels().get(CsiDriver.TOPOLOGY_KEY)))
                .map(CSIStorageCapacity::getCapacity)
                .filter(q -> q != null)
                .map(q -> io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(q)
                        .longValue())
                .findFirst()
                .orElse(null);
    }

    /** Waits for {@code value} to meet {@code done}; if it never does, fails with what the components said. */
    <T> T awaitThat(String what, Duration atMost, Callable<T> value, Predicate<T> done) {
        try {
            return org.awaitility.Awaitility.await(what).atMost(atMost).until(value, v -> v != null && done.test(v));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + logs(), e);
        }
    }

    /** What the components said and what the cluster shows, for a failing test's message. */
    String logs() {
        StringBuilder all = new StringBuilder();
        try {
            all.append("--- events\n");
            kube().v1().events().inAnyNamespace().list().getItems().stream()
                    .filter(e -> !e.getInvolvedObject().getKind().startsWith("Work"))
                    .forEach(e -> all.append(e.getInvolvedObject().getKind())
                            .append(' ')
                            .append(e.getInvolvedObject().getName())
                            .append(": ")
                            .append(e.getReason())
                            .append(" ")
                            .append(e.getMessage())
                            .append('\n'));
            all.append("--- capacities\n");
            kube().storage()
                    .v1()
                    .csiStorageCapacities()
                    .inAnyNamespace()
                    .list()
                    .getItems()
                    .forEach(c -> all.append(c.getStorageClassName())
                            .append(' ')
                            .append(c.getNodeTopology())
                            .append(' ')
                            .append(c.getCapacity())
                            .append('\n'));
        } catch (RuntimeException e) {
            all.append("cannot read the cluster: ").append(e.getMessage()).append('\n');
        }
        for (String component :
                List.of("csi-provisioner", "csi-resizer", "kube-scheduler", "kube-controller-manager")) {
            Path log = plane.log(component);
            try {
                List<String> lines = Files.readAllLines(log);
                all.append("--- ").append(component).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size())
                        .forEach(l -> all.append(l).append('\n'));
            } catch (IOException e) {
                all.append("--- ").append(component).append(": no log\n");
            }
        }
        return all.toString();
    }

    @Override
    public void close() throws Exception {
        try {
            plane.close();
        } finally {
            controller.close();
            cluster.close();
        }
    }
}

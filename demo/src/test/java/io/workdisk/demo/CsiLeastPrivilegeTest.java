package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.operator.csi.CsiController;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege of the CSI driver, measured: every verb the chart's CSI ClusterRole and Role grant (what
 * csi-provisioner, csi-resizer and the controller service add to the operator's roles) is taken away in turn on
 * a real API server, and a PVC's whole life ({@link CsiLifecycle}) runs with the real components: the sidecars
 * as processes with the operator's ServiceAccount token, the controller service and the operator in-process
 * under the same identity, the real scheduler and volume controllers, the agents under theirs. A grant whose
 * loss nothing notices (no 403 for that ServiceAccount, verb and resource in the server's audit log) is one the
 * chart must not grant, unless it is listed in {@link #NOT_TAKEN} with the path that needs it.
 */
@ExtendWith(SharedApiServer.class)
class CsiLeastPrivilegeTest {
    static final List<String> NODES = List.of("node-a", "node-b");
    private static final long ROOM = 512L << 20;

    /**
     * Grants a sidecar needs only on a path this lifecycle does not take, by verb and resource, with why (also
     * in docs/limitations.md).
     */
    static final Map<String, String> NOT_TAKEN = Map.of(
            "update persistentvolumeclaims",
            "the provisioner takes the scheduler's selected-node off a claim after CreateVolume answered"
                    + " RESOURCE_EXHAUSTED (the node's room went between the scheduler's choice and the disk), so"
                    + " the scheduler chooses again: a race this lifecycle cannot make happen on purpose");

    @TempDir
    Path tmp;

    @Test
    void everyGrantOfTheCsiRolesIsNeeded(RealApiServer api) throws Exception {
        ChartRbac chart = ChartRbac.renderWithCsi();
        Path logs = Path.of("target", "csi-least-privilege").toAbsolutePath();
        Map<ChartRbac.Grant, Optional<String>> outcomes = new LinkedHashMap<>();
        long started = System.nanoTime();
        try (KubernetesClient admin = api.newClient("user");
                ControlPlane plane = new ControlPlane(api, logs.resolve("control-plane"))) {
            chart.apply(admin);
            plane.csiDriver();
            NODES.forEach(plane::node);
            plane.controllerManager().scheduler();
            String operatorPod = operatorPod(admin, chart.operatorAccount());
            try (ChartIdentities identities = new ChartIdentities(api, chart, false);
                    LocalCluster cluster = new LocalCluster(
                            identities, LeaderElectionTest.replica("csi-least-privilege"), Clock.systemUTC())) {
                for (String node : NODES) {
                    cluster.addNode(node, Map.of(), tmp.resolve(node), List.of(), ROOM);
                }
                cluster.startOperator();
                awaitAgentsReady(admin);
                String sidecarKubeconfig = api.kubeconfigYamlWithToken(identities.operatorToken());
                int run = 0;
                for (ChartRbac.Grant grant : chart.csiGrants()) {
                    long runStarted = System.nanoTime();
                    chart.withhold(admin, grant);
                    Optional<String> failure;
                    try {
                        failure = whatFails(
                                grant,
                                api,
                                admin,
                                identities,
                                sidecarKubeconfig,
                                operatorPod,
                                tmp.resolve("run-" + run),
                                logs.resolve("run-" + run));
                    } finally {
                        chart.restore(admin, grant);
                        CsiLifecycle.clear(admin);
                        run++;
                    }
                    System.out.printf(
                            "without %-62s %5d ms: %s%n",
                            grant,
                            (System.nanoTime() - runStarted) / 1_000_000,
                            failure.orElse(
                                    NOT_TAKEN.containsKey(key(grant))
                                            ? "nothing failed: needed on a path the lifecycle does not take"
                                            : "NOTHING FAILED"));
                    outcomes.put(grant, failure);
                }
            } finally {
                // the suite's reset keeps Deployments and ReplicaSets: the next test class finds none of these
                admin.apps()
                        .replicaSets()
                        .inNamespace(ChartRbac.NAMESPACE)
                        .withName(operatorPod.substring(0, operatorPod.lastIndexOf('-')))
                        .delete();
                admin.apps()
                        .deployments()
                        .inNamespace(ChartRbac.NAMESPACE)
                        .withName(chart.operatorAccount())
                        .delete();
            }
        }
        System.out.printf(
                "%d CSI grants measured in %d s%n", outcomes.size(), (System.nanoTime() - started) / 1_000_000_000);
        assertThat(outcomes).as("the CSI roles' grants").isNotEmpty();
        List<String> unneeded = new ArrayList<>();
        List<String> reachedAfterAll = new ArrayList<>();
        outcomes.forEach((grant, failure) -> {
            boolean listed = NOT_TAKEN.containsKey(key(grant));
            if (failure.isEmpty() && !listed) {
                unneeded.add(grant.toString());
            }
            if (failure.isPresent() && listed) {
                reachedAfterAll.add(grant + " (" + failure.get() + ")");
            }
        });
        assertThat(unneeded)
                .as("granted, but the whole lifecycle runs without them: take them out of the chart")
                .isEmpty();
        assertThat(reachedAfterAll)
                .as("listed as needed on a path the lifecycle does not take, but the lifecycle needs them: "
                        + "take them off NOT_TAKEN")
                .isEmpty();
        assertThat(chart.csiGrants().stream().map(CsiLeastPrivilegeTest::key))
                .as("every grant NOT_TAKEN names is one the chart makes")
                .containsAll(NOT_TAKEN.keySet());
    }

    /** The first refusal of {@code grant} while a PVC goes through its life without it, if any. */
    private static Optional<String> whatFails(
            ChartRbac.Grant grant,
            RealApiServer api,
            KubernetesClient admin,
            ChartIdentities identities,
            String sidecarKubeconfig,
            String operatorPod,
            Path dir,
            Path logs)
            throws Exception {
        long mark = api.audit().mark();
        Path socket = Files.createDirectories(dir).resolve("controller.sock");
        // RBAC applies at once to running clients, but an informer's list and watch are authorized when made:
        // the sidecars and the controller service start afresh under each withheld grant
        try (KubernetesClient operatorClient = identities.newOperatorClient();
                CsiController controller =
                        CsiController.start(operatorClient, socket, "test", CsiController.DEFAULT_WAIT);
                ControlPlane sidecars = new ControlPlane(api, logs).sidecarsAs(sidecarKubeconfig)) {
            sidecars.provisioner(socket, ChartRbac.NAMESPACE, operatorPod, 2).resizer(socket);
            new CsiLifecycle(admin, NODES, ROOM, () -> refusal(api, grant, mark).isPresent(), () -> tails(sidecars))
                    .run();
            return Optional.empty();
        } catch (CsiLifecycle.Refused refused) {
            return refusal(api, grant, mark);
        }
    }

    private static Optional<String> refusal(RealApiServer api, ChartRbac.Grant grant, long mark) {
        return api.audit().since(mark).stream()
                .filter(grant::refused)
                .findFirst()
                .map(e -> "403 " + e.verb() + " " + e.uri().split("\\?")[0] + " ("
                        + e.userAgent().split(" ")[0] + ")");
    }

    private static String key(ChartRbac.Grant grant) {
        return grant.verb() + " " + grant.resource();
    }

    /**
     * The operator's Deployment, its ReplicaSet and its Pod as the deployment controller and the scheduler would
     * make them (never run: no kubelet): the provisioner finds the owner of its capacity objects through them.
     * Returns the pod's name, the sidecars' POD_NAME.
     */
    private static String operatorPod(KubernetesClient admin, String name) {
        Map<String, String> labels = Map.of("app.kubernetes.io/name", name);
        Deployment deployment = admin.resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ChartRbac.NAMESPACE)
                        .endMetadata()
                        .withNewSpec()
                        .withNewSelector()
                        .withMatchLabels(labels)
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .withLabels(labels)
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("operator")
                        .withImage("workdisk-operator")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .serverSideApply();
        ReplicaSet replicaSet = admin.resource(new ReplicaSetBuilder()
                        .withNewMetadata()
                        .withName(name + "-7d9f8b6c5d")
                        .withNamespace(ChartRbac.NAMESPACE)
                        .withOwnerReferences(controllerRef(
                                "apps/v1",
                                "Deployment",
                                name,
                                deployment.getMetadata().getUid()))
                        .endMetadata()
                        .withNewSpec()
                        .withNewSelector()
                        .withMatchLabels(labels)
                        .endSelector()
                        .withTemplate(deployment.getSpec().getTemplate())
                        .endSpec()
                        .build())
                .serverSideApply();
        String pod = replicaSet.getMetadata().getName() + "-x4k2p";
        admin.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(pod)
                        .withNamespace(ChartRbac.NAMESPACE)
                        .withLabels(labels)
                        .withOwnerReferences(controllerRef(
                                "apps/v1",
                                "ReplicaSet",
                                replicaSet.getMetadata().getName(),
                                replicaSet.getMetadata().getUid()))
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName(NODES.get(0))
                        .withServiceAccountName(name)
                        .addNewContainer()
                        .withName("operator")
                        .withImage("workdisk-operator")
                        .endContainer()
                        .endSpec()
                        .build())
                .serverSideApply();
        return pod;
    }

    private static OwnerReference controllerRef(String apiVersion, String kind, String name, String uid) {
        return new OwnerReferenceBuilder()
                .withApiVersion(apiVersion)
                .withKind(kind)
                .withName(name)
                .withUid(uid)
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static void awaitAgentsReady(KubernetesClient admin) {
        await("both agents Ready")
                .atMost(Duration.ofSeconds(60))
                .until(() -> admin.resources(WorkNode.class).list().getItems().stream()
                                .filter(n -> n.getStatus() != null
                                        && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                                .count()
                        == NODES.size());
    }

    /** The last lines the sidecars wrote, for a lifecycle that stopped for another reason than a refusal. */
    private static String tails(ControlPlane sidecars) {
        StringBuilder all = new StringBuilder();
        for (String component : List.of("csi-provisioner", "csi-resizer")) {
            try {
                List<String> lines = Files.readAllLines(sidecars.log(component));
                all.append("--- ").append(component).append(" (last 30 lines)\n");
                lines.subList(Math.max(0, lines.size() - 30), lines.size())
                        .forEach(l -> all.append(l).append('\n'));
            } catch (IOException e) {
                all.append("--- ").append(component).append(": no log\n");
            }
        }
        return all.toString();
    }
}

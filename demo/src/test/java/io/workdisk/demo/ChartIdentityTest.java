package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's identities on a real API server: the operator and two agents run in-process under the
 * chart's ServiceAccounts, with TokenRequest tokens (each agent's bound to a Pod on its Node), its roles
 * and its admission policy. A whole lifecycle works, no request they make is refused, and what the chart
 * means to forbid is refused by the server.
 */
@ExtendWith(SharedApiServer.class)
class ChartIdentityTest {
    static final String NODE_NAME_CLAIM = "authentication.kubernetes.io/node-name";

    @TempDir
    Path tmp;

    RealApiServer api;
    ChartRbac chart;
    ChartIdentities identities;
    KubernetesClient admin;

    @BeforeEach
    void install(RealApiServer api) {
        this.api = api;
        chart = ChartRbac.render();
        admin = api.newClient("user");
        chart.apply(admin);
        identities = new ChartIdentities(api, chart, false);
    }

    @AfterEach
    void close() {
        identities.close();
        admin.close();
    }

    @Test
    void anAgentsTokenNamesItsNode() {
        try (KubernetesClient agent = identities.newAgentClient("node-a")) {
            UserInfo me = agent.authentication()
                    .v1()
                    .selfSubjectReviews()
                    .create(new SelfSubjectReview())
                    .getStatus()
                    .getUserInfo();
            assertThat(me.getUsername()).isEqualTo(ChartRbac.user(chart.agentAccount()));
            assertThat(me.getExtra()).containsEntry(NODE_NAME_CLAIM, List.of("node-a"));
        }
    }

    @Test
    void aWholeLifecycleRunsUnderTheChartsIdentitiesWithNothingRefused() throws Exception {
        Path rootfs = Rootfs.ofFixture(tmp);
        long mark = api.audit().mark();
        WorkdiskOperator.Settings settings = LeaderElectionTest.replica("chart-operator");
        try (ChartIdentities withRivals = new ChartIdentities(api, chart, true);
                LocalCluster cluster = new LocalCluster(withRivals, settings, Clock.systemUTC())) {
            for (String node : List.of("node-a", "node-b")) {
                cluster.addNode(node, Map.of(), tmp.resolve(node), List.of(rootfs.getParent()), null);
            }
            cluster.startOperator();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Lease lease = admin.leases()
                        .inNamespace(ChartRbac.NAMESPACE)
                        .withName("workdisk-operator")
                        .get();
                assertThat(lease).as("the leader Lease").isNotNull();
                assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("chart-operator");
            });

            new Lifecycle(admin, rootfs, List.of("node-a", "node-b"), () -> false).run();
        }
        String operator = ChartRbac.user(chart.operatorAccount());
        String agent = ChartRbac.user(chart.agentAccount());
        List<AuditLog.Entry> made = api.audit().since(mark).stream()
                .filter(e -> e.user().equals(operator) || e.user().equals(agent))
                .toList();
        assertThat(made)
                .as("the operator took the Lease as its ServiceAccount")
                .anyMatch(e -> e.user().equals(operator)
                        && e.resource().equals("leases")
                        && e.verb().equals("create")
                        && e.code() == 201);
        assertThat(made)
                .as("the agents reported their tasks as their ServiceAccount")
                .anyMatch(e -> e.user().equals(agent) && e.resource().equals("worktasks/status") && e.code() == 200);
        assertThat(made)
                .as("the operator read a disk again after its finalizer patch met a rival's write")
                .anyMatch(e -> e.user().equals(operator)
                        && e.resource().equals("workdisks")
                        && e.verb().equals("get")
                        && e.code() == 200);
        // the agent meets a rival's write with a conflict and then writes again from its informer cache,
        // without reading the task (the chart grants it no get)
        List<String> conflicted = made.stream()
                .filter(e -> e.user().equals(agent) && e.resource().equals("worktasks/status") && e.code() == 409)
                .map(AuditLog.Entry::name)
                .toList();
        assertThat(conflicted).as("an agent's status write met a rival's write").isNotEmpty();
        assertThat(made)
                .as("and was written again after it")
                .anyMatch(e -> e.user().equals(agent)
                        && e.resource().equals("worktasks/status")
                        && conflicted.contains(e.name())
                        && e.code() == 200);
        assertThat(made).as("requests the server refused").noneMatch(AuditLog.Entry::forbidden);
    }

    @Test
    void theServerRefusesWhatTheChartForbids() {
        admin.secrets()
                .inNamespace(ChartRbac.NAMESPACE)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("private")
                        .endMetadata()
                        .withStringData(Map.of("key", "value"))
                        .build())
                .create();
        try (KubernetesClient operator = identities.newOperatorClient();
                KubernetesClient agentA = identities.newAgentClient("node-a");
                KubernetesClient agentB = identities.newAgentClient("node-b")) {
            WorkTask taskA = operator.resource(task("task-a", "node-a")).create();
            WorkTask taskB = operator.resource(task("task-b", "node-b")).create();

            taskA.setStatus(running());
            assertThat(agentA.resource(taskA).updateStatus().getStatus().phase())
                    .as("its own node's task")
                    .isEqualTo(TaskPhase.Running);
            taskB.setStatus(running());
            assertRefused(
                    () -> agentA.resource(taskB).updateStatus(),
                    "an agent may only report on WorkTasks of its own node");

            agentA.resource(workNode("node-a")).create();
            assertRefused(
                    () -> agentA.resource(workNode("node-b")).create(),
                    "an agent may only write its own node's WorkNode record");
            WorkNode recordB = agentB.resource(workNode("node-b")).create();
            assertRefused(
                    () -> agentA.resource(recordB).updateStatus(),
                    "an agent may only write its own node's WorkNode record");

            assertRefused(
                    () -> agentA.resource(task("forged", "node-a")).create(),
                    "cannot create resource \"worktasks\" in API group \"workdisk.io\"");
            assertRefused(
                    () -> agentA.secrets()
                            .inNamespace(ChartRbac.NAMESPACE)
                            .withName("private")
                            .get(),
                    "cannot get resource \"secrets\"");
            assertRefused(() -> agentA.secrets().inAnyNamespace().list(), "cannot list resource \"secrets\"");
            assertRefused(
                    () -> operator.secrets()
                            .inNamespace(ChartRbac.NAMESPACE)
                            .withName("private")
                            .get(),
                    "cannot get resource \"secrets\"");
            assertRefused(() -> operator.secrets().inAnyNamespace().list(), "cannot list resource \"secrets\"");
        }
    }

    static void assertRefused(Runnable call, String because) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
            assertThat(e.getMessage()).contains(because);
        });
    }

    static WorkTask task(String name, String node) {
        WorkTask t = new WorkTask();
        t.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("default")
                .withLabels(Map.of(ApiGroup.NODE_LABEL, node))
                .build());
        t.setSpec(new WorkTaskSpec(
                node, TaskType.Delete, "disks/none.ext4", null, null, null, null, null, null, "nobody", 1));
        return t;
    }

    static WorkTaskStatus running() {
        return new WorkTaskStatus(TaskPhase.Running, null, null, null, null, null, null, null, null, null, 1L);
    }

    static WorkNode workNode(String name) {
        WorkNode n = new WorkNode();
        n.setMetadata(new ObjectMetaBuilder().withName(name).build());
        return n;
    }
}

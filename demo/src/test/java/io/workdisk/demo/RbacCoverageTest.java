package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's RBAC grants the operator and the agent every API call they make and nothing more. The calls
 * are recorded from a whole lifecycle (seed, seeded and blank disks, resize, delete, seed delete) against
 * the real API server, read from its audit log, told apart by User-Agent, and compared with the rendered roles.
 */
@ExtendWith(SharedApiServer.class)
class RbacCoverageTest {
    /**
     * Granted but not seen in a healthy run: the re-read JOSDK does after a status write conflicts
     * (optimistic locking), which a lifecycle without concurrent writers never triggers.
     */
    static final Set<String> RARE = Set.of("operator get workdisk.io/workdisks", "operator get workdisk.io/workseeds",
            "agent get workdisk.io/worktasks");

    @TempDir
    Path tmp;

    @Test
    void rolesCoverExactlyTheCallsTheCodeMakes(RealApiServer api) throws Exception {
        List<HasMetadata> chart = HelmChartTest.render();
        Set<String> used = new TreeSet<>();
        long mark = api.audit().mark();
        WorkdiskOperator.Settings settings = LeaderElectionTest.replica("only")
                .withMetricsPort(null);
        try (LocalCluster cluster = new LocalCluster(api, settings, Clock.systemUTC())) {
            Path images = Rootfs.ofFixture(tmp).getParent();
            cluster.addNode("node-a", Map.of(), tmp.resolve("node-a"), List.of(images), null);
            try (AutoCloseable operator = cluster.startOperatorReplica(settings)) {
                KubernetesClient kube = cluster.client();
                kube.resource(Manifests.seed("s", images.resolve("rootfs.ext4"))).create();
                kube.resource(Manifests.seeded("seeded", "1Gi", "s")).create();
                kube.resource(Manifests.disk("blank", "1Gi")).create();
                Waits.phase(kube, "seeded", DiskPhase.Ready);
                Waits.phase(kube, "blank", DiskPhase.Ready);
                kube.resources(WorkDisk.class).inNamespace("default").withName("blank").edit(d -> {
                    d.setSpec(d.getSpec().withSize("2Gi"));
                    return d;
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> kube.resources(WorkDisk.class).inNamespace("default")
                        .withName("blank").get().getStatus().capacityBytes() == 2L << 30);
                kube.resources(WorkDisk.class).inNamespace("default").withName("seeded").delete();
                kube.resources(WorkDisk.class).inNamespace("default").withName("blank").delete();
                kube.resources(WorkSeed.class).withName("s").delete();
                await().atMost(Duration.ofSeconds(30)).until(() -> kube.resources(WorkDisk.class).inAnyNamespace().list()
                        .getItems().isEmpty() && kube.resources(WorkSeed.class).list().getItems().isEmpty());
                for (AuditLog.Entry r : api.audit().since(mark)) {
                    String agent = r.userAgent().split("/")[0];
                    if (agent.equals("workdisk-operator") || agent.equals("workdisk-agent")) {
                        if (r.resource().isEmpty()) {
                            // a non-resource URL: only those every authenticated user may read (the built-in
                            // system:public-info-viewer role) are acceptable, since the chart grants none
                            String path = r.uri().split("\\?")[0];
                            assertThat(PUBLIC_INFO).as("non-resource URL %s %s", r.verb(), path).contains(path);
                            assertThat(r.verb()).isEqualTo("get");
                            continue;
                        }
                        used.add(agent.substring("workdisk-".length()) + " " + r.verb() + " "
                                + (r.group().isEmpty() ? "" : r.group() + "/") + r.resource());
                    }
                }
            }
        }
        Set<String> granted = new TreeSet<>();
        for (HasMetadata o : chart) {
            String who = o.getMetadata().getName().endsWith("-agent") ? "agent" : "operator";
            List<PolicyRule> rules = o instanceof ClusterRole cr ? cr.getRules() : o instanceof Role role ? role.getRules() : null;
            if (rules == null) {
                continue;
            }
            for (PolicyRule rule : rules) {
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        for (String verb : rule.getVerbs()) {
                            granted.add(who + " " + verb + " " + (group.isEmpty() ? "" : group + "/") + resource);
                        }
                    }
                }
            }
        }
        assertThat(used).as("every call is granted").isSubsetOf(granted);
        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(used);
        unused.removeAll(RARE);
        assertThat(unused).as("nothing is granted that is never used").isEmpty();
    }

    /** Non-resource URLs Kubernetes lets every authenticated user GET (ClusterRole system:public-info-viewer). */
    static final Set<String> PUBLIC_INFO = Set.of("/healthz", "/livez", "/readyz", "/version", "/version/");
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege, measured: every verb the chart grants is taken out of its role on a real API server in
 * turn, and the operator and two agents then run the lifecycle under the chart's identities, each meeting
 * a rival writer once per object (so the re-reads after a conflict run too), until something they do
 * fails for want of it: a request by that ServiceAccount for that verb and resource answered 403 (read
 * from the server's audit log), or the operator refusing to start. A verb whose loss nothing notices is
 * one the chart must not grant.
 */
@ExtendWith(SharedApiServer.class)
class LeastPrivilegeTest {
    static final List<String> NODES = List.of("node-a", "node-b");

    @TempDir
    Path tmp;

    @Test
    void everyVerbTheChartGrantsIsNeeded(RealApiServer api) throws Exception {
        // the CSI roles are not measured here: nothing in this lifecycle provisions a PVC (see CsiChartTest)
        ChartRbac chart = ChartRbac.renderWithoutCsi();
        Path rootfs = Rootfs.ofFixture(tmp);
        List<String> unneeded = new ArrayList<>();
        long started = System.nanoTime();
        // the claims of the lifecycle's disks are bound by the real controller, so the grants for a bound
        // claim (its capacity following a grown disk) are measured too
        try (KubernetesClient admin = api.newClient("user");
                ControlPlane controlPlane = new ControlPlane(api, tmp.resolve("control-plane")).controllerManager()) {
            chart.apply(admin);
            int run = 0;
            for (ChartRbac.Grant grant : chart.grants()) {
                long runStarted = System.nanoTime();
                api.clearWorkloads();
                chart.withhold(admin, grant);
                Optional<String> failure;
                try {
                    failure = whatFails(grant, api, chart, admin, rootfs, tmp.resolve("run-" + run++));
                } finally {
                    chart.restore(admin, grant);
                }
                System.out.printf(
                        "without %-58s %5d ms: %s%n",
                        grant, (System.nanoTime() - runStarted) / 1_000_000, failure.orElse("NOTHING FAILED"));
                if (failure.isEmpty()) {
                    unneeded.add(grant.toString());
                }
            }
        }
        System.out.printf(
                "%d grants measured in %d s%n", chart.grants().size(), (System.nanoTime() - started) / 1_000_000_000);
        assertThat(unneeded)
                .as("granted, but the whole lifecycle runs without them: take them out of the chart")
                .isEmpty();
    }

    /** What goes wrong while {@code grant} is withheld: the first refusal of it, or why the operator did not start. */
    static Optional<String> whatFails(
            ChartRbac.Grant grant,
            RealApiServer api,
            ChartRbac chart,
            KubernetesClient admin,
            Path rootfs,
            Path dataRoots)
            throws Exception {
        long mark = api.audit().mark();
        WorkdiskOperator.Settings settings = LeaderElectionTest.replica("least-privilege");
        try (ChartIdentities identities = new ChartIdentities(api, chart, true);
                LocalCluster cluster = new LocalCluster(identities, settings, Clock.systemUTC())) {
            try {
                for (String node : NODES) {
                    cluster.addNode(node, Map.of(), dataRoots.resolve(node), List.of(rootfs.getParent()), null);
                }
            } catch (RuntimeException agentDidNotStart) {
                // its task informer could not start: the refusal is in the audit log
                return Optional.of(refusal(api, grant, mark)
                        .orElseThrow(() -> new AssertionError(
                                "without " + grant + " an agent did not start, for another reason", agentDidNotStart)));
            }
            try {
                cluster.startOperator();
            } catch (RuntimeException e) {
                Optional<String> refused = refusal(api, grant, mark);
                return refused.isPresent() ? refused : Optional.of(leaseCheckFailure(e, grant));
            }
            try {
                new Lifecycle(
                                admin,
                                rootfs,
                                NODES,
                                () -> refusal(api, grant, mark).isPresent())
                        .withClaimsBound()
                        .run();
            } catch (Lifecycle.Stopped stopped) {
                return refusal(api, grant, mark);
            }
            return Optional.empty();
        }
    }

    private static Optional<String> refusal(RealApiServer api, ChartRbac.Grant grant, long mark) {
        return api.audit().since(mark).stream()
                .filter(grant::refused)
                .findFirst()
                .map(e -> "403 " + e.verb() + " " + e.uri().split("\\?")[0]);
    }

    /** JOSDK checks the Lease verbs it needs (a SelfSubjectRulesReview) before it takes part in an election. */
    private static String leaseCheckFailure(RuntimeException e, ChartRbac.Grant grant) {
        StringBuilder why = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            why.append(t.getMessage()).append("; ");
        }
        if (!why.toString().matches("(?s).*missing required verbs: \\[[^]]*\\b" + grant.verb() + "\\b.*")) {
            throw new AssertionError("without " + grant + " the operator did not start, for another reason: " + why, e);
        }
        return "the operator did not start: " + why;
    }
}

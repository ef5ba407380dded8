package io.workdisk.operator.workseed;

import static io.workdisk.operator.Observed.BACKING_OFF;
import static io.workdisk.operator.Observed.GIB;
import static io.workdisk.operator.Observed.NOW;
import static io.workdisk.operator.Observed.alive;
import static io.workdisk.operator.Observed.down;
import static io.workdisk.operator.Observed.failedForGood;
import static io.workdisk.operator.Observed.failedJustNow;
import static io.workdisk.operator.Observed.failedLongAgo;
import static io.workdisk.operator.Observed.names;
import static io.workdisk.operator.Observed.running;
import static io.workdisk.operator.Observed.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.Conditions;
import io.workdisk.api.task.HostPathSource;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.api.workseed.WorkSeedStatus;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import io.workdisk.operator.task.Tasks;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every branch of {@link SeedPlanner#plan}, one row each: the seed, its tasks and the nodes observed, and the
 * per-node phases, Ready condition, tasks written and removed, and when to look again that follow. The
 * seed "s" is wanted on nodes labelled zone=x; node "a" is.
 */
class SeedPlannerTest {
    static final String NAMESPACE = "workdisk-system";
    static final Map<String, String> ZONE_X = Map.of("zone", "x");
    static final NodeView A = alive("a", 100 * GIB, ZONE_X);
    static final NodeView A_ELSEWHERE = alive("a", 100 * GIB, Map.of("zone", "y"));
    static final String DIGEST = SeedDigest.of(spec(), null).orElseThrow();
    static final String BUILD = SeedPlanner.buildTaskName(seed(null), "a", DIGEST);
    static final String DELETE = SeedPlanner.deleteTaskName(seed(null), "a");

    static Stream<Row> plan() {
        return Stream.of(
                // a node the seed is wanted on
                row(
                        "a seed not built on a node is built there",
                        given(null, List.of(A)),
                        expect("False/Building", "a=Building").creates(BUILD + " BuildSeed #1")),
                row(
                        "a seed built again after a failure is its next attempt",
                        given(status(onA(SeedPhase.Failed, DIGEST, 1)), List.of(A)),
                        expect("False/Building", "a=Building").creates(BUILD + " BuildSeed #2")),
                row(
                        "a build for an older source is dropped and the seed built again",
                        given(
                                status(onA(SeedPhase.Ready, "0123456789ab", 1)),
                                List.of(A),
                                build(SeedPlanner.buildTaskName(seed(null), "a", "0123456789ab"), succeeded(built()))),
                        expect("False/Building", "a=Building")
                                .creates(BUILD + " BuildSeed #1")
                                .removesNow(SeedPlanner.buildTaskName(seed(null), "a", "0123456789ab"))),
                row(
                        "a build being run is waited for",
                        given(null, List.of(A), build(BUILD, running())),
                        expect("False/Building", "a=Building")),
                row(
                        "a build that succeeded is recorded, and its task removed only after",
                        given(null, List.of(A), build(BUILD, succeeded(built()))),
                        expect("True/Ready", "a=Ready").removesAfterReport(BUILD)),
                row(
                        "a seed Ready for this source stays Ready",
                        given(status(onA(SeedPhase.Ready, DIGEST, 1)), List.of(A)),
                        expect("True/Ready", "a=Ready")),
                row(
                        "a build failed for a while is dropped to be written again",
                        given(null, List.of(A), build(BUILD, failedLongAgo("TOOL_TIMEOUT"))),
                        expect("False/BuildFailed", "a=Failed")
                                .removesNow(BUILD)
                                .again(Retry.SOON)
                                .says("a: it broke; retrying now")),
                row(
                        "a build failed just now waits out its backoff",
                        given(null, List.of(A), build(BUILD, failedJustNow("TOOL_TIMEOUT"))),
                        expect("False/BuildFailed", "a=Failed")
                                .again(BACKING_OFF)
                                .says("a: it broke; retrying in 4s")),
                row(
                        "a build failed for good is kept as the record",
                        given(null, List.of(A), build(BUILD, failedForGood("SOURCE_INVALID"))),
                        expect("False/BuildFailed", "a=Failed").says("a: it broke")),
                row(
                        "a node whose agent is silent is waited for",
                        given(null, List.of(down("a", ZONE_X))),
                        expect("False/Building", "a=Pending").again(Duration.ofSeconds(15))),
                // a node that holds the seed and should not
                row(
                        "a node that stopped matching gets a Delete task",
                        given(status(onA(SeedPhase.Ready, DIGEST, 1)), List.of(A_ELSEWHERE)),
                        expect("False/NoNodes", "a=Removing").creates(DELETE + " Delete #1")),
                row(
                        "a removal being run is waited for",
                        given(status(onA(SeedPhase.Ready, DIGEST, 1)), List.of(A_ELSEWHERE), delete(running())),
                        expect("False/NoNodes", "a=Removing")),
                row(
                        "a removal that succeeded drops the node, its task removed after the report",
                        given(status(onA(SeedPhase.Ready, DIGEST, 1)), List.of(A_ELSEWHERE), delete(succeeded(null))),
                        expect("False/NoNodes").removesAfterReport(DELETE)),
                row(
                        "a removal failed for good drops the node and leaves the file",
                        given(
                                status(onA(SeedPhase.Ready, DIGEST, 1)),
                                List.of(A_ELSEWHERE),
                                delete(failedForGood("NOT_OWNED"))),
                        expect("False/NoNodes").removesAfterReport(DELETE)),
                row(
                        "a removal failed for a while is dropped to be written again",
                        given(
                                status(onA(SeedPhase.Ready, DIGEST, 1)),
                                List.of(A_ELSEWHERE),
                                delete(failedLongAgo("TOOL_TIMEOUT"))),
                        expect("False/NoNodes", "a=Removing").removesNow(DELETE).again(Retry.SOON)),
                row(
                        "a removal failed just now waits out its backoff",
                        given(
                                status(onA(SeedPhase.Ready, DIGEST, 1)),
                                List.of(A_ELSEWHERE),
                                delete(failedJustNow("TOOL_TIMEOUT"))),
                        expect("False/NoNodes", "a=Removing").again(BACKING_OFF)),
                row(
                        "a node that is gone is dropped with nothing to remove",
                        given(status(onA(SeedPhase.Ready, DIGEST, 1)), List.of()),
                        expect("False/NoNodes")),
                // the seed as a whole
                row("a seed no node matches is not Ready", given(null, List.of(A_ELSEWHERE)), expect("False/NoNodes")),
                row(
                        "a seed on some matching nodes only is still Building",
                        given(status(onA(SeedPhase.Ready, DIGEST, 1)), List.of(A, alive("b", GIB, ZONE_X))),
                        expect("False/Building", "a=Ready", "b=Building")
                                .creates(SeedPlanner.buildTaskName(seed(null), "b", DIGEST) + " BuildSeed #1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void plan(Row row) {
        check(
                new SeedPlanner(NAMESPACE)
                        .plan(
                                row.given().seed(),
                                row.given().tasks(),
                                row.given().nodes(),
                                NOW,
                                false),
                row.expect());
    }

    static Stream<Row> planDeletion() {
        return Stream.of(
                row(
                        "a deleted seed is removed from every node that holds it",
                        given(status(onA(SeedPhase.Ready, DIGEST, 1)), List.of(A), build(BUILD, succeeded(built()))),
                        expect("False/Deleting", "a=Removing").creates(DELETE + " Delete #1")),
                row(
                        "a deleted seed whose removals are done goes, with its tasks",
                        given(null, List.of(A), delete(succeeded(null))),
                        expect("False/Deleting").removesNow(DELETE).done()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void planDeletion(Row row) {
        check(
                new SeedPlanner(NAMESPACE)
                        .plan(
                                row.given().seed(),
                                row.given().tasks(),
                                row.given().nodes(),
                                NOW,
                                true),
                row.expect());
    }

    @Test
    void aBuildTaskSaysWhatToBuildWhere() {
        WorkTask task = new SeedPlanner(NAMESPACE)
                .plan(seed(null), List.of(), List.of(A), NOW, false)
                .create()
                .get(0);
        assertThat(task.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(task.getSpec())
                .isEqualTo(new WorkTaskSpec(
                        "a",
                        TaskType.BuildSeed,
                        "seeds/s.ext4",
                        null,
                        null,
                        null,
                        spec().source(),
                        "/root",
                        null,
                        "seed-uid",
                        1));
    }

    @Test
    void aBuiltSeedReportsWhatTheAgentMade() {
        Plan<WorkSeedStatus> p = new SeedPlanner(NAMESPACE)
                .plan(seed(null), List.of(build(BUILD, succeeded(built()))), List.of(A), NOW, false);
        assertThat(p.status().nodes())
                .containsExactly(new NodeSeedStatus(
                        "a",
                        SeedPhase.Ready,
                        "/data/seeds/s.ext4",
                        GIB,
                        1000L,
                        3,
                        2,
                        "2 entries skipped (devices, fifos, sockets)",
                        DIGEST,
                        1,
                        null,
                        null));
        assertThat(p.status().ready()).isEqualTo("1/1");
        assertThat(p.status().source()).isEqualTo("hostPath:/images/rootfs.ext4");
    }

    // ---- rows ----

    record Row(String branch, Given given, Expect expect) {
        @Override
        public String toString() {
            return branch;
        }
    }

    static Row row(String branch, Given given, Expect expect) {
        return new Row(branch, given, expect);
    }

    record Given(WorkSeed seed, List<WorkTask> tasks, List<NodeView> nodes) {}

    static Given given(WorkSeedStatus status, List<NodeView> nodes, WorkTask... tasks) {
        return new Given(seed(status), Arrays.asList(tasks), nodes);
    }

    /** The Ready condition as "Status/Reason", each node's phase as "node=Phase", tasks, look again, may go. */
    record Expect(
            String ready,
            List<String> nodes,
            List<String> create,
            List<String> removeNow,
            List<String> removeAfterReport,
            Optional<Duration> again,
            boolean finished,
            String says) {
        Expect creates(String... tasks) {
            return new Expect(ready, nodes, List.of(tasks), removeNow, removeAfterReport, again, finished, says);
        }

        Expect removesNow(String... tasks) {
            return new Expect(ready, nodes, create, List.of(tasks), removeAfterReport, again, finished, says);
        }

        Expect removesAfterReport(String... tasks) {
            return new Expect(ready, nodes, create, removeNow, List.of(tasks), again, finished, says);
        }

        Expect again(Duration in) {
            return new Expect(ready, nodes, create, removeNow, removeAfterReport, Optional.of(in), finished, says);
        }

        Expect done() {
            return new Expect(ready, nodes, create, removeNow, removeAfterReport, again, true, says);
        }

        Expect says(String words) {
            return new Expect(ready, nodes, create, removeNow, removeAfterReport, again, finished, words);
        }
    }

    static Expect expect(String ready, String... nodes) {
        return new Expect(ready, List.of(nodes), List.of(), List.of(), List.of(), Optional.empty(), false, null);
    }

    static void check(Plan<WorkSeedStatus> plan, Expect expect) {
        WorkSeedStatus s = plan.status();
        Condition ready = Conditions.find(s.conditions(), "Ready");
        assertThat(ready.getStatus() + "/" + ready.getReason()).as("Ready").isEqualTo(expect.ready());
        assertThat(s.nodes())
                .as("nodes")
                .extracting(n -> n.node() + "=" + n.phase())
                .containsExactlyElementsOf(expect.nodes());
        assertThat(plan.create())
                .as("tasks written")
                .extracting(t -> t.getMetadata().getName() + " " + t.getSpec().type() + " #"
                        + t.getSpec().attempt())
                .containsExactlyElementsOf(expect.create());
        assertThat(names(plan.removeNow())).as("tasks removed now").containsExactlyElementsOf(expect.removeNow());
        assertThat(names(plan.removeAfterReport()))
                .as("tasks removed after the report")
                .containsExactlyElementsOf(expect.removeAfterReport());
        assertThat(plan.lookAgainIn()).as("look again in").isEqualTo(expect.again());
        assertThat(plan.finished()).as("finished").isEqualTo(expect.finished());
        if (expect.says() != null) {
            assertThat(ready.getMessage()).as("Ready message").contains(expect.says());
        }
        assertThat(ready.getObservedGeneration()).isEqualTo(1L);
        assertThat(s.observedGeneration()).isEqualTo(1L);
    }

    // ---- what is observed ----

    static WorkSeedSpec spec() {
        return new WorkSeedSpec(
                new SeedSource(new HostPathSource("/images/rootfs.ext4"), null, null, null), null, null, ZONE_X);
    }

    static WorkSeed seed(WorkSeedStatus status) {
        WorkSeed s = new WorkSeed();
        s.setMetadata(new ObjectMetaBuilder()
                .withName("s")
                .withUid("seed-uid")
                .withGeneration(1L)
                .build());
        s.setSpec(spec());
        s.setStatus(status);
        return s;
    }

    static NodeSeedStatus onA(SeedPhase phase, String digest, int attempt) {
        return new NodeSeedStatus(
                "a", phase, "/data/seeds/s.ext4", GIB, 1000L, 3, 0, null, digest, attempt, null, null);
    }

    static WorkSeedStatus status(NodeSeedStatus... nodes) {
        return new WorkSeedStatus(
                List.of(nodes), 0, 1, "0/1", "hostPath:/images/rootfs.ext4", null, null, List.of(), 1L);
    }

    static TaskResult built() {
        return new TaskResult("/data/seeds/s.ext4", GIB, GIB, GIB, "seed-fs-uuid", 1000L, 3, 2, false, null);
    }

    static WorkTask build(String name, WorkTaskStatus status) {
        return task(name, TaskType.BuildSeed, status);
    }

    static WorkTask delete(WorkTaskStatus status) {
        return task(DELETE, TaskType.Delete, status);
    }

    static WorkTask task(String name, TaskType type, WorkTaskStatus status) {
        WorkTask t = Tasks.build(
                seed(null),
                NAMESPACE,
                name,
                new WorkTaskSpec(
                        "a",
                        type,
                        "seeds/s.ext4",
                        null,
                        null,
                        null,
                        type == TaskType.BuildSeed ? spec().source() : null,
                        null,
                        null,
                        "seed-uid",
                        1));
        t.setStatus(status);
        return t;
    }
}

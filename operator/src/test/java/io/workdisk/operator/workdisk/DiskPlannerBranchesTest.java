package io.workdisk.operator.workdisk;

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
import io.workdisk.api.task.Operation;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.ReclaimPolicy;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.api.workseed.WorkSeedStatus;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import io.workdisk.operator.task.Tasks;
import io.workdisk.operator.workseed.SeedDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every branch of {@link DiskPlanner#plan} and {@link DiskPlanner#planDeletion}, one row each: what was
 * observed, and the phase, conditions, tasks written and removed, and when to look again that follow. The
 * cluster is always node "a" (alive, 100 GiB) and node "b" (its agent silent).
 */
class DiskPlannerBranchesTest {
    static final Duration CHECK_READY = Duration.ofSeconds(60);
    static final String UID = "uid-1";
    static final String PATH = "/data/disks/uid-1.ext4";
    static final String CREATE = "wd-uid-1-create";
    static final String DELETE = "wd-uid-1-delete";

    // ---- the table of DiskPlanner.plan ----

    static Stream<Row> plan() {
        return Stream.of(
                // a disk that does not exist yet
                row(
                        "a new disk is placed, room reserved there, and a Format task written",
                        given(disk("1Gi", null)),
                        expect(DiskPhase.Creating, "a", "True/Placed", "False/Creating")
                                .creates(CREATE + " Format #1")
                                .reserves("a", GIB)),
                row(
                        "a disk with room reserved stays where it was placed",
                        given(disk("1Gi", null)).allocations(new Placement.Allocation(UID, "b", GIB)),
                        expect(DiskPhase.Placing, "b", "True/Placed", "False/NodeNotReady")
                                .again(DiskPlanner.WAIT_FOR_NODE)
                                .reserves("b", GIB)),
                row(
                        "a disk naming its node is not placed",
                        given(disk(spec("1Gi", null, "a"), null)),
                        expect(DiskPhase.Creating, "a", "True/Placed", "False/Creating")
                                .creates(CREATE + " Format #1")),
                row(
                        "a disk from a seed Ready on its node gets a Materialize task",
                        given(disk(spec("1Gi", "s", null), null)).seed(seed(readyOn("a"))),
                        expect(DiskPhase.Creating, "a", "True/Placed", "False/Creating")
                                .creates(CREATE + " Materialize #1")
                                .reserves("a", GIB)),
                row(
                        "a create written again after a failure is its next attempt",
                        given(disk("1Gi", placedOn("a", failed(TaskType.Format, 1)))),
                        expect(DiskPhase.Creating, "a", "True/Placed", "False/Creating")
                                .creates(CREATE + " Format #2")),
                row(
                        "a create being run is waited for",
                        given(disk("1Gi", placedOn("a", null)), create(GIB, running())),
                        expect(DiskPhase.Creating, "a", "True/Placed", "False/Creating")),
                row(
                        "a failed create is dropped when the spec changed since",
                        given(disk("2Gi", placedOn("a", null)), create(GIB, failedForGood("NOT_OWNED"))),
                        expect(DiskPhase.Pending, "a", "True/Placed", "False/Retrying")
                                .removesNow(CREATE)
                                .says("spec changed after: it broke")),
                row(
                        "a create failed for a while is dropped to be written again",
                        given(disk("1Gi", placedOn("a", null)), create(GIB, failedLongAgo("TOOL_TIMEOUT"))),
                        expect(DiskPhase.Creating, "a", "True/Placed", "False/ToolTimeout")
                                .removesNow(CREATE)
                                .again(Retry.SOON)
                                .says("it broke; retrying now")),
                row(
                        "a create failed just now waits out its backoff",
                        given(disk("1Gi", placedOn("a", null)), create(GIB, failedJustNow("TOOL_TIMEOUT"))),
                        expect(DiskPhase.Creating, "a", "True/Placed", "False/ToolTimeout")
                                .again(BACKING_OFF)
                                .says("it broke; retrying in 4s")),
                row(
                        "a create failed for good is kept as the record",
                        given(disk("1Gi", placedOn("a", null)), create(GIB, failedForGood("NOT_OWNED"))),
                        expect(DiskPhase.Failed, "a", "True/Placed", "False/NotOwned")
                                .says("it broke")),
                row(
                        "a size that is not one fails the disk",
                        given(disk("junk", null)),
                        expect(DiskPhase.Failed, null, "False/InvalidSpec", "False/InvalidSpec")),
                row(
                        "a missing seed is waited for",
                        given(disk(spec("1Gi", "s", null), null)),
                        expect(DiskPhase.Pending, null, "False/SeedNotFound", "False/SeedNotFound")
                                .again(DiskPlanner.WAIT_FOR_PLACEMENT)),
                row(
                        "a disk no node has room for waits for room",
                        given(disk("200Gi", null)),
                        expect(DiskPhase.Pending, null, "False/NoCapacity", "False/NoCapacity")
                                .again(DiskPlanner.WAIT_FOR_PLACEMENT)),
                row(
                        "a disk naming a node without an agent waits for one",
                        given(disk(spec("1Gi", null, "z"), null)),
                        expect(DiskPhase.Placing, "z", "True/Placed", "False/NodeNotFound")
                                .again(DiskPlanner.WAIT_FOR_NODE)),
                row(
                        "a disk on a node whose agent is silent waits for it",
                        given(disk(spec("1Gi", null, "b"), null)),
                        expect(DiskPhase.Placing, "b", "True/Placed", "False/NodeNotReady")
                                .again(DiskPlanner.WAIT_FOR_NODE)),
                row(
                        "a disk whose seed is not Ready on its node waits for it",
                        given(disk(spec("1Gi", "s", "a"), null)).seed(seed(null)),
                        expect(DiskPhase.Placing, "a", "True/Placed", "False/SeedNotReady")
                                .again(DiskPlanner.WAIT_FOR_PLACEMENT)),
                // a disk that exists
                row(
                        "a create that succeeded is recorded, and its task kept as the record of the work",
                        given(disk("1Gi", null), create(GIB, succeeded(made(GIB)))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/Ready")
                                .again(CHECK_READY)
                                .says("the disk is at " + PATH + " on a; Format took 2.000s")),
                row(
                        "a disk is Ready when it is as big as asked",
                        given(disk("1Gi", madeOn("a", GIB))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/Ready")
                                .again(CHECK_READY)),
                row(
                        "a Ready disk's create task stays",
                        given(disk("1Gi", madeOn("a", GIB)), create(GIB, succeeded(made(GIB)))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/Ready")
                                .again(CHECK_READY)),
                row(
                        "a disk whose node's agent is silent is lost",
                        given(disk("1Gi", madeOn("b", GIB))),
                        expect(DiskPhase.Failed, "b", "True/Placed", "False/NodeLost")
                                .again(CHECK_READY)),
                row(
                        "a disk whose node is gone is lost",
                        given(disk("1Gi", madeOn("z", GIB))),
                        expect(DiskPhase.Failed, "z", "True/Placed", "False/NodeLost")
                                .again(CHECK_READY)),
                row(
                        "a made disk whose size is not one stays as it is",
                        given(disk("junk", madeOn("a", GIB))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/InvalidSpec")
                                .again(CHECK_READY)),
                row(
                        "a larger size gets one Resize task",
                        given(disk("2Gi", madeOn("a", GIB))),
                        expect(DiskPhase.Resizing, "a", "True/Placed", "True/Resizing")
                                .creates(resize(2) + " Resize #1")),
                row(
                        "a resize being run is waited for",
                        given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, running())),
                        expect(DiskPhase.Resizing, "a", "True/Placed", "True/Resizing")),
                row(
                        "a resize that succeeded is recorded, and its task removed only after",
                        given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, succeeded(made(2 * GIB)))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/Ready")
                                .removesAfterReport(resize(2))
                                .again(CHECK_READY)),
                row(
                        "a resize failed for a while is dropped to be written again",
                        given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, failedLongAgo("TOOL_TIMEOUT"))),
                        expect(DiskPhase.Resizing, "a", "True/Placed", "True/ResizeRetrying")
                                .removesNow(resize(2))
                                .again(Retry.SOON)
                                .says("resize to 2Gi failed: it broke; retrying now")),
                row(
                        "a resize failed just now waits out its backoff",
                        given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, failedJustNow("TOOL_TIMEOUT"))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/ResizeRetrying")
                                .again(BACKING_OFF)
                                .says("resize to 2Gi failed: it broke; retrying in 4s")),
                row(
                        "a resize failed for good is kept as the record",
                        given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, failedForGood("INSUFFICIENT_SPACE"))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/ResizeFailed")
                                .again(CHECK_READY)
                                .says("resize to 2Gi failed: it broke")),
                row(
                        "a finished resize the spec moved past is dropped",
                        given(disk("3Gi", madeOn("a", GIB)), resize(2 * GIB, failedForGood("INSUFFICIENT_SPACE"))),
                        expect(DiskPhase.Resizing, "a", "True/Placed", "True/Resizing")
                                .removesNow(resize(2))
                                .creates(resize(3) + " Resize #1")),
                row(
                        "a smaller size is refused",
                        given(disk("512Mi", madeOn("a", GIB))),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/ShrinkRefused")
                                .again(CHECK_READY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void plan(Row row) {
        check(planner().plan(row.given().state()), row.expect());
    }

    // ---- the table of DiskPlanner.planDeletion ----

    static Stream<Row> planDeletion() {
        return Stream.of(
                row(
                        "a step still running is waited for",
                        given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, running())),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .again(Duration.ofSeconds(5))
                                .says("waiting for a running step to finish first")),
                row(
                        "a disk never placed goes at once, and is not placed on its way out",
                        given(disk("1Gi", null)),
                        expect(DiskPhase.Deleting, null, null, "False/Deleted")
                                .done()
                                .says("nothing was made")),
                row(
                        "a disk never made goes at once with its failed tasks",
                        given(disk("1Gi", placedOn("a", null)), create(GIB, failedForGood("NOT_OWNED"))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleted")
                                .removesNow(CREATE)
                                .done()),
                row(
                        "a retained disk goes and its image stays",
                        given(disk(retained("1Gi"), madeOn("a", GIB))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleted")
                                .done()
                                .says("retained at " + PATH)),
                row(
                        "a disk whose node is gone goes, its image with the node",
                        given(disk("1Gi", madeOn("z", GIB))),
                        expect(DiskPhase.Deleting, "z", "True/Placed", "False/Deleted")
                                .done()
                                .says("node 'z' is gone; its image cannot be removed")),
                row(
                        "a made disk gets a Delete task, its finished tasks removed after the report",
                        given(disk("1Gi", madeOn("a", GIB)), resize(2 * GIB, failedForGood("INSUFFICIENT_SPACE"))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .creates(DELETE + " Delete #1")
                                .removesAfterReport(resize(2))
                                .says("removing the image from a")),
                row(
                        "a made disk's kept create task goes once the Delete task is written",
                        given(disk("1Gi", madeOn("a", GIB)), create(GIB, succeeded(made(GIB)))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .creates(DELETE + " Delete #1")
                                .removesAfterReport(CREATE)
                                .says("removing the image from a")),
                row(
                        "a delete being run is waited for",
                        given(disk("1Gi", madeOn("a", GIB)), delete(running())),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .says("removing the image from a")),
                row(
                        "a delete that succeeded lets the disk go",
                        given(disk("1Gi", madeOn("a", GIB)), delete(succeeded(null))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleted")
                                .removesNow(DELETE)
                                .done()
                                .says("image removed from a")),
                row(
                        "a delete failed for good lets the disk go and leaves the image",
                        given(disk("1Gi", madeOn("a", GIB)), delete(failedForGood("NOT_OWNED"))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleted")
                                .removesNow(DELETE)
                                .done()
                                .says("the image was left on a: it broke")),
                row(
                        "a delete failed for a while is dropped to be written again",
                        given(disk("1Gi", madeOn("a", GIB)), delete(failedLongAgo("TOOL_TIMEOUT"))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .removesNow(DELETE)
                                .again(Retry.SOON)
                                .says("it broke; retrying now")),
                row(
                        "a delete failed just now waits out its backoff",
                        given(disk("1Gi", madeOn("a", GIB)), delete(failedJustNow("TOOL_TIMEOUT"))),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .again(BACKING_OFF)
                                .says("it broke; retrying in 4s")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void planDeletion(Row row) {
        check(planner().planDeletion(row.given().state()), row.expect());
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

    /** What was observed: the disk, its tasks, its seed and every disk's allocation; the nodes are always the same two. */
    record Given(WorkDisk disk, List<WorkTask> tasks, Optional<WorkSeed> seed, List<Placement.Allocation> allocations) {
        Given seed(WorkSeed s) {
            return new Given(disk, tasks, Optional.of(s), allocations);
        }

        Given allocations(Placement.Allocation... disks) {
            return new Given(disk, tasks, seed, List.of(disks));
        }

        DiskState state() {
            return new DiskState(
                    disk, tasks, List.of(alive("a", 100 * GIB, Map.of()), down("b")), seed, () -> allocations, NOW);
        }
    }

    static Given given(WorkDisk disk, WorkTask... tasks) {
        return new Given(disk, Arrays.asList(tasks), Optional.empty(), List.of());
    }

    /**
     * What follows: the phase, node, Placed and Ready conditions as "Status/Reason", tasks written (as
     * "name Type #attempt"), removed before and after the report, when to look again, whether a deleted
     * disk may go, room to reserve, and words the Ready condition's message has.
     */
    record Expect(
            DiskPhase phase,
            String node,
            String placed,
            String ready,
            List<String> create,
            List<String> removeNow,
            List<String> removeAfterReport,
            Optional<Duration> again,
            boolean finished,
            Optional<Plan.Reservation> reserve,
            String says) {
        Expect creates(String... tasks) {
            return new Expect(
                    phase,
                    node,
                    placed,
                    ready,
                    List.of(tasks),
                    removeNow,
                    removeAfterReport,
                    again,
                    finished,
                    reserve,
                    says);
        }

        Expect removesNow(String... tasks) {
            return new Expect(
                    phase,
                    node,
                    placed,
                    ready,
                    create,
                    List.of(tasks),
                    removeAfterReport,
                    again,
                    finished,
                    reserve,
                    says);
        }

        Expect removesAfterReport(String... tasks) {
            return new Expect(
                    phase, node, placed, ready, create, removeNow, List.of(tasks), again, finished, reserve, says);
        }

        Expect again(Duration in) {
            return new Expect(
                    phase,
                    node,
                    placed,
                    ready,
                    create,
                    removeNow,
                    removeAfterReport,
                    Optional.of(in),
                    finished,
                    reserve,
                    says);
        }

        Expect done() {
            return new Expect(
                    phase, node, placed, ready, create, removeNow, removeAfterReport, again, true, reserve, says);
        }

        Expect reserves(String onNode, long bytes) {
            return new Expect(
                    phase,
                    node,
                    placed,
                    ready,
                    create,
                    removeNow,
                    removeAfterReport,
                    again,
                    finished,
                    Optional.of(new Plan.Reservation(UID, onNode, bytes)),
                    says);
        }

        Expect says(String words) {
            return new Expect(
                    phase, node, placed, ready, create, removeNow, removeAfterReport, again, finished, reserve, words);
        }
    }

    static Expect expect(DiskPhase phase, String node, String placed, String ready) {
        return new Expect(
                phase,
                node,
                placed,
                ready,
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                false,
                Optional.empty(),
                null);
    }

    static void check(Plan<WorkDiskStatus> plan, Expect expect) {
        WorkDiskStatus s = plan.status();
        assertThat(s.phase()).as("phase").isEqualTo(expect.phase());
        assertThat(s.nodeName()).as("node").isEqualTo(expect.node());
        assertThat(condition(s, "Placed")).as("Placed").isEqualTo(expect.placed());
        assertThat(condition(s, "Ready")).as("Ready").isEqualTo(expect.ready());
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
        assertThat(plan.reserve()).as("room to reserve").isEqualTo(expect.reserve());
        if (expect.says() != null) {
            assertThat(Conditions.find(s.conditions(), "Ready").getMessage())
                    .as("Ready message")
                    .contains(expect.says());
        }
        assertThat(s.conditions())
                .as("every condition describes the generation seen")
                .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L));
    }

    static String condition(WorkDiskStatus s, String type) {
        Condition c = Conditions.find(s.conditions(), type);
        return c == null ? null : c.getStatus() + "/" + c.getReason();
    }

    static DiskPlanner planner() {
        return new DiskPlanner(new Placement(1.0), CHECK_READY);
    }

    // ---- what is observed ----

    static WorkDiskSpec spec(String size, String seedRef, String nodeName) {
        return new WorkDiskSpec(size, seedRef, nodeName, null, null, null, null);
    }

    static WorkDiskSpec retained(String size) {
        return new WorkDiskSpec(size, null, null, null, ReclaimPolicy.Retain, null, null);
    }

    static WorkDisk disk(String size, WorkDiskStatus status) {
        return disk(spec(size, null, null), status);
    }

    static WorkDisk disk(WorkDiskSpec spec, WorkDiskStatus status) {
        WorkDisk d = new WorkDisk();
        d.setMetadata(new ObjectMetaBuilder()
                .withName("d")
                .withNamespace("ns")
                .withUid(UID)
                .withGeneration(1L)
                .build());
        d.setSpec(spec);
        d.setStatus(status);
        return d;
    }

    /** Placed on a node, nothing made there yet; {@code last} the step tried before, if any. */
    static WorkDiskStatus placedOn(String node, Operation last) {
        return new WorkDiskStatus(DiskPhase.Creating, node, null, null, null, List.of(), 1L, last);
    }

    static WorkDiskStatus madeOn(String node, long capacity) {
        return new WorkDiskStatus(DiskPhase.Ready, node, PATH, capacity, "fs-uuid", List.of(), 1L, null);
    }

    static Operation failed(TaskType type, int attempt) {
        return new Operation(type, TaskPhase.Failed, null, null, 1.0, null, attempt);
    }

    static TaskResult made(long bytes) {
        return new TaskResult(PATH, bytes, bytes, 4096L, "fs-uuid", null, null, null, false, null);
    }

    static WorkTask create(long bytes, WorkTaskStatus status) {
        return task(CREATE, TaskType.Format, bytes, status);
    }

    static String resize(int gib) {
        return DiskPlanner.resizeTaskName(disk("1Gi", null), gib * GIB);
    }

    static WorkTask resize(long bytes, WorkTaskStatus status) {
        return task(DiskPlanner.resizeTaskName(disk("1Gi", null), bytes), TaskType.Resize, bytes, status);
    }

    static WorkTask delete(WorkTaskStatus status) {
        return task(DELETE, TaskType.Delete, null, status);
    }

    static WorkTask task(String name, TaskType type, Long bytes, WorkTaskStatus status) {
        WorkTask t = Tasks.build(
                disk("1Gi", null),
                "ns",
                name,
                new WorkTaskSpec("a", type, "disks/uid-1.ext4", bytes, false, null, null, null, null, UID, 1));
        t.setStatus(status);
        return t;
    }

    static WorkSeed seed(WorkSeedStatus status) {
        WorkSeed s = new WorkSeed();
        s.setMetadata(new ObjectMetaBuilder()
                .withName("s")
                .withUid("seed-uid")
                .withGeneration(1L)
                .build());
        s.setSpec(new WorkSeedSpec(
                new SeedSource(new HostPathSource("/images/rootfs.ext4"), null, null, null), null, null, null));
        s.setStatus(status);
        return s;
    }

    static WorkSeedStatus readyOn(String node) {
        String digest = SeedDigest.of(seed(null).getSpec(), null).orElseThrow();
        return new WorkSeedStatus(
                List.of(NodeSeedStatus.ready(
                        node, TaskResult.seed("/data/seeds/s.ext4", GIB, "seed-fs-uuid", GIB, 1, 0), null, digest, 1)),
                1,
                1,
                "1/1",
                "hostPath:/images/rootfs.ext4",
                null,
                null,
                List.of(),
                1L);
    }
}

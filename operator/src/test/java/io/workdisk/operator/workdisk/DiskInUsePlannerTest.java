package io.workdisk.operator.workdisk;

import static io.workdisk.operator.Observed.GIB;
import static io.workdisk.operator.Observed.NOW;
import static io.workdisk.operator.Observed.alive;
import static io.workdisk.operator.Observed.down;
import static io.workdisk.operator.Observed.failedForGood;
import static io.workdisk.operator.Observed.failedJustNow;
import static io.workdisk.operator.Observed.failedLongAgo;
import static io.workdisk.operator.Observed.running;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.CHECK_READY;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.DELETE;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.check;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.delete;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.disk;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.expect;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.given;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.madeOn;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.planner;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.resize;
import static io.workdisk.operator.workdisk.DiskPlannerBranchesTest.retained;
import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.node.WorkNodeStatus;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The branches of {@link DiskPlanner} a disk in use takes: published by its node's CSI service (node "a"'s
 * record lists it), it is neither grown nor deleted, and says why; once unpublished, a step the agent refused
 * as in use is tried again at once. Each row: what the node reports, the disk and its tasks, and what follows
 * (as {@link DiskPlannerBranchesTest} checks it), and the publications the status shows.
 */
class DiskInUsePlannerTest {
    static final VolumePublication BY_POD = VolumePublication.of(
            "ns/d/" + DiskPlannerBranchesTest.UID,
            DiskPlannerBranchesTest.UID,
            "/var/lib/kubelet/pods/p-1/volumes/kubernetes.io~csi/pv-1/mount",
            "diskImage",
            false,
            "vms",
            "vm-1",
            "p-1",
            NOW.toString());
    static final VolumePublication UNNAMED = VolumePublication.of(
            "ns/d/" + DiskPlannerBranchesTest.UID,
            DiskPlannerBranchesTest.UID,
            "/var/lib/kubelet/plugins/x/mount",
            "block",
            false,
            "",
            "",
            "",
            NOW.toString());
    static final VolumePublication OTHER_DISK = VolumePublication.of(
            "ns/e/uid-2", "uid-2", "/var/lib/kubelet/pods/p-2/mount", "mounted", false, "vms", "vm-2", "p-2", null);

    record Row(
            String branch,
            Function<DiskPlanner, Function<DiskState, Plan<WorkDiskStatus>>> which,
            DiskState state,
            DiskPlannerBranchesTest.Expect expect,
            List<VolumePublication> shown) {
        @Override
        public String toString() {
            return branch;
        }
    }

    static Row plan(String branch, DiskState state, DiskPlannerBranchesTest.Expect expect, VolumePublication... shown) {
        return new Row(branch, p -> p::plan, state, expect, List.of(shown));
    }

    static Row deletion(
            String branch, DiskState state, DiskPlannerBranchesTest.Expect expect, VolumePublication... shown) {
        return new Row(branch, p -> p::planDeletion, state, expect, List.of(shown));
    }

    static Stream<Row> rows() {
        return Stream.of(
                plan(
                        "a published disk asked to grow waits, Ready at its old size, with no resize step",
                        on(given(disk("2Gi", madeOn("a", GIB)))::state, BY_POD),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/InUse")
                                .again(CHECK_READY)
                                .says("in use by pod vms/vm-1 on a; the resize to 2Gi waits for it to stop"),
                        BY_POD),
                plan(
                        "a pod kubelet did not name is shown by its target",
                        on(given(disk("2Gi", madeOn("a", GIB)))::state, UNNAMED),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/InUse")
                                .again(CHECK_READY)
                                .says("in use by target /var/lib/kubelet/plugins/x/mount on a"),
                        UNNAMED),
                plan(
                        "a resize the agent refused as in use is kept, not retried, while the disk is published",
                        on(
                                given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, failedJustNow("IN_USE")))::state,
                                BY_POD),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/InUse")
                                .again(CHECK_READY)
                                .says("waits for it to stop"),
                        BY_POD),
                plan(
                        "once unpublished, a resize refused as in use is retried without its backoff",
                        on(given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, failedLongAgo("IN_USE")))::state),
                        expect(DiskPhase.Resizing, "a", "True/Placed", "True/ResizeRetrying")
                                .removesNow(resize(2))
                                .again(Retry.SOON)
                                .says("retrying now")),
                plan(
                        "a resize refused as in use a second ago is written again after a short pause, not in a loop",
                        on(given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, failedJustNow("IN_USE")))::state),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/ResizeRetrying")
                                .again(Duration.ofSeconds(1))
                                .says("retrying in 1s")),
                plan(
                        "once unpublished, the grow goes ahead",
                        on(given(disk("2Gi", madeOn("a", GIB)))::state, OTHER_DISK),
                        expect(DiskPhase.Resizing, "a", "True/Placed", "True/Resizing")
                                .creates(resize(2) + " Resize #1")),
                plan(
                        "a resize step already given to the agent is its to refuse",
                        on(given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, running()))::state, BY_POD),
                        expect(DiskPhase.Resizing, "a", "True/Placed", "True/Resizing"),
                        BY_POD),
                plan(
                        "a resize failed for good stays ResizeFailed whatever uses the disk",
                        on(
                                given(disk("2Gi", madeOn("a", GIB)), resize(2 * GIB, failedForGood("NOT_OWNED")))
                                        ::state,
                                BY_POD),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/ResizeFailed")
                                .again(CHECK_READY),
                        BY_POD),
                plan(
                        "a published disk at its size is Ready and shows where it is used",
                        on(given(disk("1Gi", madeOn("a", GIB)))::state, BY_POD, OTHER_DISK),
                        expect(DiskPhase.Ready, "a", "True/Placed", "True/Ready")
                                .again(CHECK_READY),
                        BY_POD),
                deletion(
                        "a published disk being deleted waits, with no delete step",
                        on(given(disk("1Gi", madeOn("a", GIB)))::state, BY_POD),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/InUse")
                                .again(CHECK_READY)
                                .says("in use by pod vms/vm-1 on a; the image is removed once it is unpublished"),
                        BY_POD),
                deletion(
                        "a retained disk in use waits too: its volume stays valid while the pod runs",
                        on(given(disk(retained("1Gi"), madeOn("a", GIB)))::state, BY_POD),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/InUse")
                                .again(CHECK_READY),
                        BY_POD),
                deletion(
                        "a delete the agent refused as in use is kept, not retried, while the disk is published",
                        on(given(disk("1Gi", madeOn("a", GIB)), delete(failedJustNow("IN_USE")))::state, BY_POD),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/InUse")
                                .again(CHECK_READY),
                        BY_POD),
                deletion(
                        "once unpublished, a delete refused as in use is retried without its backoff",
                        on(given(disk("1Gi", madeOn("a", GIB)), delete(failedLongAgo("IN_USE")))::state),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .removesNow(DELETE)
                                .again(Retry.SOON)
                                .says("retrying now")),
                deletion(
                        "a delete step already given to the agent is its to refuse",
                        on(given(disk("1Gi", madeOn("a", GIB)), delete(running()))::state, BY_POD),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting"),
                        BY_POD),
                deletion(
                        "once unpublished, the delete step is written",
                        on(given(disk("1Gi", madeOn("a", GIB)))::state),
                        expect(DiskPhase.Deleting, "a", "True/Placed", "False/Deleting")
                                .creates(DELETE + " Delete #1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void inUse(Row row) {
        Plan<WorkDiskStatus> plan = row.which().apply(planner()).apply(row.state());
        check(plan, row.expect());
        assertThat(plan.status().publishedTo())
                .as("publishedTo")
                .isEqualTo(row.shown().isEmpty() ? null : row.shown());
    }

    /** The state {@code given} observes, with node "a" reporting these publications. */
    static DiskState on(java.util.function.Supplier<DiskState> given, VolumePublication... published) {
        DiskState s = given.get();
        NodeView a = alive("a", 100 * GIB, Map.of());
        WorkNodeStatus r = a.record();
        WorkNodeStatus withPublications = new WorkNodeStatus(
                r.dataRoot(),
                r.capacityBytes(),
                r.freeBytes(),
                r.allocatedBytes(),
                r.disks(),
                r.seeds(),
                r.agentVersion(),
                r.heartbeatTime(),
                r.conditions(),
                published.length == 0 ? null : List.of(published));
        return new DiskState(
                s.disk(),
                s.tasks(),
                List.of(new NodeView("a", Map.of(), withPublications, true, null), down("b")),
                s.seed(),
                s.allocations(),
                s.now());
    }
}

package io.workdisk.operator.workdisk;

import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskReasons;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A disk's publications as its node's agent reports them, and what they hold back: while there is one, the
 * disk is neither resized nor deleted (a pod has it open as a device, an image or a mounted filesystem). The
 * agent refuses such a step with reason InUse too, for a publication that slipped in after the plan.
 */
record InUse(List<VolumePublication> publications) {

    static InUse of(DiskState s, String node) {
        if (node == null) {
            return new InUse(List.of());
        }
        String uid = s.disk().getMetadata().getUid();
        return new InUse(s.node(node)
                .filter(n -> n.record() != null)
                .map(n -> n.record().publicationsOf(uid))
                .orElse(List.of()));
    }

    boolean inUse() {
        return !publications.isEmpty();
    }

    /** Who holds the disk: {@code pod ns/a, pod ns/b}, or the targets for publications kubelet named no pod for. */
    String users() {
        return publications.stream()
                .map(VolumePublication::user)
                .distinct()
                .sorted()
                .collect(Collectors.joining(", "));
    }

    /** The publication list for the status: null when there is none, so the field disappears. */
    List<VolumePublication> forStatus() {
        return publications.isEmpty() ? null : publications;
    }

    /** A task the agent refused because the disk was published: nothing to back off from once it is not. */
    static boolean refusedAsInUse(WorkTask task) {
        return task.getStatus() != null
                && DiskReasons.IN_USE.equals(DiskPlanner.reason(task.getStatus().reason()));
    }
}

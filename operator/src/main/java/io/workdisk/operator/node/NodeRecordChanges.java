package io.workdisk.operator.node;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.node.WorkNodeStatus;
import java.util.Objects;

/**
 * Whether a WorkNode update matters to reconcilers. Heartbeats alone do not (they come every few seconds
 * from every node); a change of readiness, capacity, disks, free space, seeds or
 * publications (a disk whose resize or deletion waits for its pod to stop) does.
 */
public final class NodeRecordChanges {
    private NodeRecordChanges() {}

    public static boolean meaningful(WorkNode now, WorkNode before) {
        WorkNodeStatus a = now.getStatus();
        WorkNodeStatus b = before.getStatus();
        if (a == null || b == null) {
            return a != b;
        }
        return !Objects.equals(a.capacityBytes(), b.capacityBytes())
                || !Objects.equals(a.disks(), b.disks())
                || !Objects.equals(a.seeds(), b.seeds())
                || !Objects.equals(a.publications(), b.publications())
                || !Objects.equals(readiness(a), readiness(b))
                || Math.abs(nz(a.freeBytes()) - nz(b.freeBytes())) > (1L << 30);
    }

    private static String readiness(WorkNodeStatus s) {
        Condition ready = Conditions.find(s.conditions(), "Ready");
        return ready == null ? null : ready.getStatus() + ready.getReason();
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }
}

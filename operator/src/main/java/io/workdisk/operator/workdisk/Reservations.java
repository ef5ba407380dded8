package io.workdisk.operator.workdisk;

import io.workdisk.operator.task.Plan;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Room promised to disks that were placed but whose status, as the informer cache shows it, does not name
 * their node yet. Placement counts every promise, and a new one is recorded only if no other was recorded
 * since the plan that makes it read them: so two disks placed at the same moment cannot both take the last
 * room on a node. A promise is kept until its disk is deleted (once the cache shows the disk's node, that
 * counts instead). Held in memory by the one operator that leads; a new leader starts from the statuses.
 */
public final class Reservations {
    private final Map<String, Plan.Reservation> byDisk = new ConcurrentHashMap<>();
    private final AtomicLong recorded = new AtomicLong();

    /** How many promises were recorded so far: read it before planning, and hand it back to {@link #reserve}. */
    public long version() {
        return recorded.get();
    }

    /**
     * Records the promise a plan makes, unless another was recorded since {@code seen}: then the plan may have
     * counted room that is gone, and must be made again (false).
     */
    public synchronized boolean reserve(Plan.Reservation r, long seen) {
        if (r.equals(byDisk.get(r.uid()))) {
            return true; // the same decision as before: nothing new
        }
        if (recorded.get() != seen) {
            return false;
        }
        byDisk.put(r.uid(), r);
        recorded.incrementAndGet();
        return true;
    }

    /** The disks as the cache shows them, each without a node counted where room is promised to it, if anywhere. */
    public List<Placement.Allocation> applyTo(List<Placement.Allocation> disks) {
        return disks.stream()
                .map(d -> {
                    Plan.Reservation r = d.node() == null ? byDisk.get(d.diskUid()) : null;
                    return r == null ? d : new Placement.Allocation(d.diskUid(), r.node(), d.bytes());
                })
                .toList();
    }

    public void forget(String diskUid) {
        byDisk.remove(diskUid);
    }
}

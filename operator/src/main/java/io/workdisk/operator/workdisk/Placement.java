package io.workdisk.operator.workdisk;

import io.workdisk.operator.node.NodeView;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Chooses a node for a disk: alive, matching, with room (allocated + size within capacity × overcommit),
 * least allocated first, by name on ties. Decisions are serialized and remembered until the chosen node
 * shows in the disk's status, so two disks placed at once cannot both take the last room on a node.
 */
public final class Placement {
    private final double overcommit;
    private final Map<String, Reservation> reservations = new HashMap<>();

    public Placement(double overcommit) {
        this.overcommit = overcommit;
    }

    record Reservation(String node, long bytes) {
    }

    /** A disk as placement counts it: where it is (or null) and how big. */
    public record Allocation(String diskUid, String node, long bytes) {
    }

    public sealed interface Result permits Placed, NotPlaced {
    }

    public record Placed(String node) implements Result {
    }

    public record NotPlaced(String reason, String message) implements Result {
    }

    public synchronized Result place(String diskUid, long bytes, Map<String, String> selector, List<NodeView> nodes,
            Predicate<NodeView> hasSeed, List<Allocation> disks) {
        Reservation earlier = reservations.get(diskUid);
        if (earlier != null) {
            return new Placed(earlier.node());
        }
        List<NodeView> alive = nodes.stream().filter(NodeView::alive).toList();
        if (alive.isEmpty()) {
            return new NotPlaced("NoNodes", "no node has a ready workdisk agent");
        }
        List<NodeView> matching = alive.stream().filter(n -> n.matches(selector)).toList();
        if (matching.isEmpty()) {
            return new NotPlaced("NoMatchingNode", "no node with a ready agent matches nodeSelector " + selector);
        }
        List<NodeView> seeded = matching.stream().filter(hasSeed).toList();
        if (seeded.isEmpty()) {
            return new NotPlaced("SeedNotReady", "the seed is not ready on any matching node yet");
        }
        Map<String, Long> allocated = allocated(disks);
        Optional<NodeView> best = seeded.stream()
                .filter(n -> allocated.getOrDefault(n.name(), 0L) + bytes <= (long) (n.capacityBytes() * overcommit))
                .min(Comparator.comparingLong((NodeView n) -> allocated.getOrDefault(n.name(), 0L))
                        .thenComparing(NodeView::name));
        if (best.isEmpty()) {
            return new NotPlaced("NoCapacity", "no matching node has room for " + bytes + " bytes (overcommit "
                    + overcommit + "); it will be placed when room appears");
        }
        reservations.put(diskUid, new Reservation(best.get().name(), bytes));
        return new Placed(best.get().name());
    }

    private Map<String, Long> allocated(List<Allocation> disks) {
        Map<String, Long> sum = new HashMap<>();
        for (Allocation d : disks) {
            String node = d.node();
            if (node == null) {
                Reservation r = reservations.get(d.diskUid());
                node = r == null ? null : r.node();
            } else {
                reservations.remove(d.diskUid()); // the cache has caught up with the decision
            }
            if (node != null) {
                sum.merge(node, d.bytes(), Long::sum);
            }
        }
        return sum;
    }

    public synchronized void forget(String diskUid) {
        reservations.remove(diskUid);
    }
}

package io.workdisk.operator.workdisk;

import io.workdisk.operator.node.NodeView;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Chooses a node for a disk: alive, matching, with room (allocated + size within capacity × overcommit),
 * least allocated first, by name on ties. A rule and nothing more: what every disk has allocated, including
 * room reserved for disks placed a moment ago ({@link Reservations}), is given to it.
 */
public final class Placement {
    private final double overcommit;

    public Placement(double overcommit) {
        this.overcommit = overcommit;
    }

    /** A disk as placement counts it: where it is or has room reserved (null: neither), and how big. */
    public record Allocation(String diskUid, String node, long bytes) {}

    /**
     * Where a disk goes, or why nowhere. Java 17 has no switch over a sealed type's records, so {@link #fold}
     * stands in for one: each record answers its own branch, and a third record would not compile until
     * every caller says what it means.
     */
    public sealed interface Result permits Placed, NotPlaced {
        <T> T fold(Function<Placed, T> ifPlaced, Function<NotPlaced, T> ifNotPlaced);
    }

    public record Placed(String node) implements Result {
        @Override
        public <T> T fold(Function<Placed, T> ifPlaced, Function<NotPlaced, T> ifNotPlaced) {
            return ifPlaced.apply(this);
        }
    }

    public record NotPlaced(String reason, String message) implements Result {
        @Override
        public <T> T fold(Function<Placed, T> ifPlaced, Function<NotPlaced, T> ifNotPlaced) {
            return ifNotPlaced.apply(this);
        }
    }

    /** Where the disk goes. A disk that has room on a node already keeps it: a decision, once made, stands. */
    public Result place(
            String diskUid,
            long bytes,
            Map<String, String> selector,
            List<NodeView> nodes,
            Predicate<NodeView> hasSeed,
            List<Allocation> disks) {
        Optional<String> earlier = disks.stream()
                .filter(d -> d.diskUid().equals(diskUid) && d.node() != null)
                .map(Allocation::node)
                .findFirst();
        if (earlier.isPresent()) {
            return new Placed(earlier.get());
        }
        List<NodeView> alive = nodes.stream().filter(NodeView::alive).toList();
        if (alive.isEmpty()) {
            return new NotPlaced("NoNodes", "no node has a ready workdisk agent");
        }
        List<NodeView> matching =
                alive.stream().filter(n -> n.matches(selector)).toList();
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
            return new NotPlaced(
                    "NoCapacity",
                    "no matching node has room for " + bytes + " bytes (overcommit " + overcommit
                            + "); it will be placed when room appears");
        }
        return new Placed(best.get().name());
    }

    /** Bytes allocated on each node. */
    private static Map<String, Long> allocated(List<Allocation> disks) {
        Map<String, Long> sum = new HashMap<>();
        for (Allocation d : disks) {
            if (d.node() != null) {
                sum.merge(d.node(), d.bytes(), Long::sum);
            }
        }
        return sum;
    }
}

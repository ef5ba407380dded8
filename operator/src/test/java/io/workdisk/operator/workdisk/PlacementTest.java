package io.workdisk.operator.workdisk;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.workdisk.api.node.WorkNodeStatus;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
    static final long GIB = 1L << 30;

    static NodeView node(String name, long capacity, boolean alive, Map<String, String> labels) {
        WorkNodeStatus s = new WorkNodeStatus(
                "/data",
                capacity,
                capacity,
                0L,
                0,
                List.of(),
                "test",
                "now",
                List.of(new ConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .build()));
        return new NodeView(name, labels, s, alive, alive ? null : "down");
    }

    final List<NodeView> nodes = List.of(
            node("b", 10 * GIB, true, Map.of("zone", "b")),
            node("a", 10 * GIB, true, Map.of("zone", "a")),
            node("c", 100 * GIB, false, Map.of()));

    final Reservations reservations = new Reservations();

    /** As the reconciler places: counting the room reserved already, then reserving what was chosen. */
    Placement.Result place(
            Placement p, String uid, long bytes, Map<String, String> selector, List<Placement.Allocation> disks) {
        long seen = reservations.version();
        Placement.Result result = p.place(uid, bytes, selector, nodes, n -> true, reservations.applyTo(disks));
        if (result instanceof Placement.Placed placed) {
            assertThat(reservations.reserve(new Plan.Reservation(uid, placed.node(), bytes), seen))
                    .isTrue();
        }
        return result;
    }

    @Test
    void leastAllocatedAliveNodeWinsAndTiesGoByName() {
        Placement p = new Placement(1.0);
        assertThat(place(p, "1", GIB, null, List.of())).isEqualTo(new Placement.Placed("a"));
        assertThat(place(p, "2", GIB, null, List.of(new Placement.Allocation("x", "a", 5 * GIB))))
                .isEqualTo(new Placement.Placed("b"));
    }

    @Test
    void twoDisksPlacedBeforeEitherStatusIsSeenDoNotShareTheLastRoom() {
        Placement p = new Placement(1.0);
        List<Placement.Allocation> none = List.of(
                new Placement.Allocation("1", null, 8 * GIB),
                new Placement.Allocation("2", null, 8 * GIB),
                new Placement.Allocation("3", null, 8 * GIB));
        assertThat(place(p, "1", 8 * GIB, null, none)).isEqualTo(new Placement.Placed("a"));
        assertThat(place(p, "2", 8 * GIB, null, none)).isEqualTo(new Placement.Placed("b"));
        assertThat(place(p, "3", 8 * GIB, null, none))
                .isInstanceOf(Placement.NotPlaced.class)
                .extracting(r -> ((Placement.NotPlaced) r).reason())
                .isEqualTo("NoCapacity");
        assertThat(place(p, "1", 8 * GIB, null, none))
                .as("a decision is stable")
                .isEqualTo(new Placement.Placed("a"));
    }

    @Test
    void overcommitLetsSparseDisksExceedCapacity() {
        Placement p = new Placement(2.0);
        assertThat(place(p, "1", 15 * GIB, Map.of("zone", "b"), List.of())).isEqualTo(new Placement.Placed("b"));
        assertThat(place(new Placement(1.0), "1", 15 * GIB, Map.of("zone", "b"), List.of()))
                .isInstanceOf(Placement.NotPlaced.class);
    }

    @Test
    void selectorsDeadNodesAndMissingSeedsAreToldApart() {
        Placement p = new Placement(1.0);
        assertThat(((Placement.NotPlaced) place(p, "1", GIB, Map.of("zone", "z"), List.of())).reason())
                .isEqualTo("NoMatchingNode");
        assertThat(((Placement.NotPlaced) p.place("2", GIB, null, nodes, n -> false, List.of())).reason())
                .isEqualTo("SeedNotReady");
        assertThat(((Placement.NotPlaced) p.place("3", GIB, null, List.of(nodes.get(2)), n -> true, List.of()))
                        .reason())
                .isEqualTo("NoNodes");
    }

    @Test
    void placingTheSameDiskAgainChangesNothing() {
        Placement p = new Placement(1.0);
        List<Placement.Allocation> disks =
                List.of(new Placement.Allocation("1", null, GIB), new Placement.Allocation("x", "a", 5 * GIB));
        assertThat(p.place("1", GIB, null, nodes, n -> true, disks)).isEqualTo(new Placement.Placed("b"));
        assertThat(p.place("1", GIB, null, nodes, n -> true, disks)).isEqualTo(new Placement.Placed("b"));
        assertThat(disks)
                .as("the allocations it was given")
                .containsExactly(new Placement.Allocation("1", null, GIB), new Placement.Allocation("x", "a", 5 * GIB));
    }
}

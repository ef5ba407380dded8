package io.workdisk.operator.workdisk;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.operator.task.Plan;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReservationsTest {
    static final long GIB = 1L << 30;

    @Test
    void aDiskWithoutANodeIsCountedWhereRoomIsReservedForIt() {
        Reservations r = new Reservations();
        assertThat(r.reserve(new Plan.Reservation("1", "a", GIB), r.version())).isTrue();
        assertThat(r.applyTo(List.of(
                        new Placement.Allocation("1", null, GIB),
                        new Placement.Allocation("2", null, GIB),
                        new Placement.Allocation("3", "b", GIB))))
                .containsExactly(
                        new Placement.Allocation("1", "a", GIB),
                        new Placement.Allocation("2", null, GIB),
                        new Placement.Allocation("3", "b", GIB));
    }

    @Test
    void theNodeInADisksStatusCountsBeforeItsReservation() {
        Reservations r = new Reservations();
        r.reserve(new Plan.Reservation("1", "a", GIB), r.version());
        assertThat(r.applyTo(List.of(new Placement.Allocation("1", "b", GIB))))
                .containsExactly(new Placement.Allocation("1", "b", GIB));
    }

    @Test
    void aPlanMadeBeforeAnotherDiskReservedRoomMustBeMadeAgain() {
        Reservations r = new Reservations();
        long seenByBoth = r.version();
        assertThat(r.reserve(new Plan.Reservation("1", "a", GIB), seenByBoth)).isTrue();
        assertThat(r.reserve(new Plan.Reservation("2", "a", GIB), seenByBoth))
                .as("counted room 1 has taken")
                .isFalse();
        assertThat(r.applyTo(List.of(new Placement.Allocation("2", null, GIB))))
                .containsExactly(new Placement.Allocation("2", null, GIB));
        assertThat(r.reserve(new Plan.Reservation("2", "b", GIB), r.version()))
                .as("made again")
                .isTrue();
    }

    @Test
    void theSameDecisionAgainIsNoNewReservation() {
        Reservations r = new Reservations();
        long seen = r.version();
        r.reserve(new Plan.Reservation("1", "a", GIB), seen);
        long after = r.version();
        assertThat(r.reserve(new Plan.Reservation("1", "a", GIB), seen)).isTrue();
        assertThat(r.version()).isEqualTo(after);
    }

    @Test
    void aForgottenDiskHoldsNoRoom() {
        Reservations r = new Reservations();
        r.reserve(new Plan.Reservation("1", "a", GIB), r.version());
        r.forget("1");
        assertThat(r.applyTo(List.of(new Placement.Allocation("1", null, GIB))))
                .containsExactly(new Placement.Allocation("1", null, GIB));
    }
}

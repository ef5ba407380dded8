package io.workdisk.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.Conditions;
import java.util.List;
import org.junit.jupiter.api.Test;

class KstatusConditionsTest {
    static final List<Condition> PLACED = List.of(Conditions.of("Placed", true, "Placed", "on node a", 4L));

    static List<String> adding(boolean ready, String reason, boolean stalls) {
        List<Condition> conditions = List.of(PLACED.get(0), Conditions.of("Ready", ready, reason, "why", 4L));
        return KstatusConditions.adding(conditions, c -> stalls).stream()
                .map(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason() + "/" + c.getMessage() + "@"
                        + c.getObservedGeneration())
                .toList();
    }

    @Test
    void readyForTheReasonReadyHasNeither() {
        assertThat(adding(true, "Ready", false))
                .containsExactly("Placed=True/Placed/on node a@4", "Ready=True/Ready/why@4");
    }

    @Test
    void onTheWayIsReconcilingWithReadysReasonEvenWhileReadyIsTrue() {
        assertThat(adding(false, "Creating", false)).endsWith("Reconciling=True/Creating/why@4");
        assertThat(adding(true, "Resizing", false))
                .as("usable at its old size, but not yet what the spec asks")
                .endsWith("Reconciling=True/Resizing/why@4");
    }

    @Test
    void waitingForSomeoneIsStalledAndNotReconciling() {
        assertThat(adding(false, "NodeLost", true))
                .endsWith("Stalled=True/NodeLost/why@4")
                .noneMatch(c -> c.startsWith("Reconciling"));
        assertThat(adding(true, "ShrinkRefused", true)).endsWith("Stalled=True/ShrinkRefused/why@4");
    }

    @Test
    void withoutReadyNothingIsAdded() {
        assertThat(KstatusConditions.adding(PLACED, c -> true)).isEqualTo(PLACED);
    }
}

package io.workdisk.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.Conditions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * kstatus's standard conditions beside Ready, so that Flux's {@code wait: true} (and every other kstatus user:
 * kpt, Helm 4's wait) agrees with the Argo CD health checks: {@code Reconciling} while the object is on its
 * way, {@code Stalled} while it waits for someone to act, neither once Ready. They follow kstatus's
 * "abnormal-true" convention: present, True, only while they hold. Without them kstatus reads only Ready,
 * which is True while a disk is resized (it is usable at its old size), and never tells a failure from a
 * wait. Each carries the Ready condition's reason and message, so Events (one per change of reason) do not
 * grow.
 */
public final class KstatusConditions {
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";

    private KstatusConditions() {}

    /**
     * {@code conditions} and, unless Ready is True for the reason Ready, Stalled if {@code stalls} says so of the
     * Ready condition, else Reconciling.
     */
    public static List<Condition> adding(List<Condition> conditions, Predicate<Condition> stalls) {
        Condition ready = Conditions.find(conditions, "Ready");
        if (ready == null || ("True".equals(ready.getStatus()) && "Ready".equals(ready.getReason()))) {
            return conditions;
        }
        List<Condition> out = new ArrayList<>(conditions);
        out.add(Conditions.of(
                stalls.test(ready) ? STALLED : RECONCILING,
                true,
                ready.getReason(),
                ready.getMessage(),
                ready.getObservedGeneration()));
        return out;
    }
}

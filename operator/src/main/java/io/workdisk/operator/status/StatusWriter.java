package io.workdisk.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Writes a computed status when it differs from the observed one — whole, with the observed
 * resourceVersion (optimistic locking), cached for the next reconcile — and turns condition changes into
 * Events.
 */
public final class StatusWriter {
    private final EventRecorder events;

    public StatusWriter(EventRecorder events) {
        this.events = events;
    }

    /** Whether a new status was written. */
    public <S, P extends CustomResource<?, S>> boolean write(P resource, Context<P> context, S status,
            Function<S, List<Condition>> conditions) {
        S before = resource.getStatus();
        if (Objects.equals(before, status)) {
            return false;
        }
        List<Condition> old = before == null ? List.of() : conditions.apply(before);
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(resource, context, r -> {
            r.setStatus(status);
            return r;
        });
        Transitions.announce(events, resource, old, conditions.apply(status));
        return true;
    }
}

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
 *
 * <p>Why PUT with the resourceVersion and not one of JOSDK 5.2's patch idioms (JSON merge patch, or
 * server-side apply with {@code ssaPatchStatusAndCacheResource}): the status is computed from one view of
 * the object, its tasks and the nodes, and is only true of that view. A PUT carrying the view's
 * resourceVersion is refused (409) when the object changed since, for instance by another operator
 * replica that has just taken over leadership, or by a user's edit of the spec; a patch is applied to
 * whatever the object has become and cannot refuse. The mock server's merging of arrays, the reason this
 * once was PUT, no longer matters: the tests run on a real API server, where user-side server-side apply
 * of the spec is tested (GitOpsApplyTest) and does not touch the status the operator owns.
 *
 * <p>A refused write is not retried here: JOSDK's {@code updateStatusAndCacheResource} would, on a
 * conflict, wait for the newer object and apply the same computed status to it, which is exactly the
 * stale write locking exists to refuse. So the conflict is thrown out of the reconcile (retry count 0),
 * and the SDK reconciles again from its fresh cache (at once when the change that caused it arrives as
 * an event, otherwise with its retry backoff), computing the status anew.
 */
public final class StatusWriter {
    /** A conflict means the view the status came from is stale: recompute, never re-apply. */
    private static final int RETRIES_ON_CONFLICT = 0;

    private final EventRecorder events;

    public StatusWriter(EventRecorder events) {
        this.events = events;
    }

    /** Whether a new status was written; throws when the object changed since {@code resource} was read. */
    public <S, P extends CustomResource<?, S>> boolean write(
            P resource, Context<P> context, S status, Function<S, List<Condition>> conditions) {
        S before = resource.getStatus();
        if (Objects.equals(before, status)) {
            return false;
        }
        List<Condition> old = before == null ? List.of() : conditions.apply(before);
        PrimaryUpdateAndCacheUtils.updateAndCacheResource(
                resource,
                context,
                r -> {
                    r.setStatus(status);
                    return r;
                },
                r -> context.getClient().resource(r).updateStatus(),
                RETRIES_ON_CONFLICT,
                PrimaryUpdateAndCacheUtils.DEFAULT_RESOURCE_CACHE_TIMEOUT_MILLIS,
                PrimaryUpdateAndCacheUtils.DEFAULT_RESOURCE_CACHE_POLL_PERIOD_MILLIS);
        Transitions.announce(events, resource, old, conditions.apply(status));
        return true;
    }
}

package io.workdisk.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import java.util.List;

/**
 * The whole informer cache of a secondary type. A reconciler's context otherwise only hands out the
 * secondaries mapped to the current primary; placement and node lookups need every node.
 */
public final class Caches {
    private Caches() {
    }

    @SuppressWarnings("unchecked")
    public static <R extends HasMetadata> List<R> all(Context<?> context, Class<R> type) {
        var source = context.eventSourceRetriever().getEventSourceFor(type);
        return ((ManagedInformerEventSource<R, ?, ?>) source).list().toList();
    }
}

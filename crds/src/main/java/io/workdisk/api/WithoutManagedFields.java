package io.workdisk.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer's store that keeps objects without their {@code metadata.managedFields}. Neither the operator nor
 * the agent reads them, and they are the largest part of a cached object once a few managers have written it (the
 * user's apply, the operator's status, the agent's): every field each manager owns, as nested maps. At a thousand
 * WorkDisks and their tasks they are tens of MiB of heap. Writing an object read from here is safe: an update
 * that carries no managedFields leaves the server's as they are.
 */
public final class WithoutManagedFields<T extends HasMetadata> extends BasicItemStore<T> {
    public WithoutManagedFields() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T obj) {
        if (obj.getMetadata() != null) {
            obj.getMetadata().setManagedFields(null);
        }
        return super.put(key, obj);
    }
}

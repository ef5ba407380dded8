package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.function.UnaryOperator;

/**
 * A user's change to an object made the way {@code kubectl edit} makes it: read, changed, written back with the
 * resourceVersion read. When someone wrote the object in between (the operator's status, most often), the
 * server answers 409 and the change is made again on a fresh read, as client-go's {@code RetryOnConflict} does;
 * a test's edit otherwise fails now and then for a write it does not care about.
 */
final class Edits {
    private static final int ATTEMPTS = 5;

    private Edits() {}

    static <T extends HasMetadata> T edit(Resource<T> object, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return object.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}

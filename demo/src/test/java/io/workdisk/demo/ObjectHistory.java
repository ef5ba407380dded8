package io.workdisk.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.api.ApiGroup;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every version of the objects of one kind, as the API server served them to a watch (so a status the
 * operator wrote for a moment is not missed between two polls), in the order written.
 */
final class ObjectHistory implements AutoCloseable {
    private final List<JsonNode> versions = new CopyOnWriteArrayList<>();
    private final Watch watch;

    private ObjectHistory(KubernetesClient kube, String kind) {
        watch = kube.genericKubernetesResources(ApiGroup.GROUP + "/" + ApiGroup.VERSION, kind)
                .inAnyNamespace()
                .watch(Watchers.anyChange(
                        o -> versions.add(Serialization.jsonMapper().valueToTree(o))));
    }

    static ObjectHistory of(KubernetesClient kube, String kind) {
        return new ObjectHistory(kube, kind);
    }

    /** The versions of the object named {@code name} seen so far, oldest first. */
    List<JsonNode> of(String name) {
        return versions.stream()
                .filter(o -> o.path("metadata").path("name").asText().equals(name))
                .toList();
    }

    @Override
    public void close() {
        watch.close();
    }
}

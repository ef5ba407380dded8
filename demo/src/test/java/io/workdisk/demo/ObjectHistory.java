package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.api.ApiGroup;
import java.time.Duration;
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

    /** The versions of {@code current}'s object up to {@code current}, once the watch has delivered it. */
    List<JsonNode> through(JsonNode current) {
        String name = current.path("metadata").path("name").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> indexOf(of(name), current) >= 0);
        List<JsonNode> all = of(name);
        return all.subList(0, indexOf(all, current) + 1);
    }

    /** The versions of the object after {@code earlier} up to {@code current}. */
    List<JsonNode> between(JsonNode earlier, JsonNode current) {
        List<JsonNode> upTo = through(current);
        return upTo.subList(indexOf(upTo, earlier) + 1, upTo.size());
    }

    private static int indexOf(List<JsonNode> versions, JsonNode version) {
        String rv = version.path("metadata").path("resourceVersion").asText();
        for (int i = 0; i < versions.size(); i++) {
            if (versions.get(i)
                    .path("metadata")
                    .path("resourceVersion")
                    .asText()
                    .equals(rv)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        watch.close();
    }
}

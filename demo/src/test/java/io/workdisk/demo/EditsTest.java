package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test's edit survives a write that lands between its read and its write, on the real API server. */
@ExtendWith(SharedApiServer.class)
class EditsTest {
    private KubernetesClient kube;
    private Resource<ConfigMap> map;

    @BeforeEach
    void object(RealApiServer api) {
        kube = api.newClient("edits-test");
        kube.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("edited")
                        .withNamespace("default")
                        .endMetadata()
                        .addToData("size", "1Gi")
                        .build())
                .create();
        map = kube.configMaps().inNamespace("default").withName("edited");
    }

    @AfterEach
    void remove() {
        map.delete();
        kube.close();
    }

    @Test
    void aWriteBetweenTheReadAndTheWriteIsReadAgainAndTheChangeMadeOnIt() {
        AtomicInteger tries = new AtomicInteger();

        Edits.edit(map, m -> {
            if (tries.incrementAndGet() == 1) {
                rivalWrite();
            }
            m.getData().put("size", "2Gi");
            return m;
        });

        assertThat(tries)
                .as("the change made twice: the first write conflicted")
                .hasValue(2);
        assertThat(map.get().getData()).containsEntry("size", "2Gi").containsEntry("rival", "was here");
    }

    @Test
    void aWriterThatAlwaysGetsInFirstEndsIt() {
        AtomicInteger tries = new AtomicInteger();

        assertThatThrownBy(() -> Edits.edit(map, m -> {
                    tries.incrementAndGet();
                    rivalWrite();
                    return m;
                }))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e ->
                        assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
        assertThat(tries).as("not for ever").hasValue(5);
    }

    /** Another writer's change of the same object, as the operator's status write would be. */
    private void rivalWrite() {
        map.edit(m -> {
            m.setData(new HashMap<>(m.getData()));
            m.getData()
                    .put("rival", m.getData().containsKey("rival") ? m.getData().get("rival") + "!" : "was here");
            return m;
        });
    }
}

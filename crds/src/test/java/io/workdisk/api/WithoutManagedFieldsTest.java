package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import org.junit.jupiter.api.Test;

class WithoutManagedFieldsTest {
    @Test
    void keepsTheObjectWithoutItsManagedFields() {
        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("a")
                .withNamespace("ns")
                .withResourceVersion("7")
                .addToLabels("k", "v")
                .withManagedFields(new ManagedFieldsEntryBuilder()
                        .withManager("someone")
                        .withOperation("Update")
                        .build())
                .endMetadata()
                .addToData("x", "y")
                .build();
        WithoutManagedFields<ConfigMap> store = new WithoutManagedFields<>();

        store.put(store.getKey(cm), cm);

        ConfigMap kept = store.get("ns/a");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(kept.getMetadata().getLabels()).containsEntry("k", "v");
        assertThat(kept.getData()).containsEntry("x", "y");
        assertThat(store.size()).isOne();
    }
}

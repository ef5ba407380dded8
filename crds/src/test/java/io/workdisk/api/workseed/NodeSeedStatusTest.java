package io.workdisk.api.workseed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class NodeSeedStatusTest {
    @Test
    void aPhaseIsWrittenAndReadAsTheSameStringItAlwaysWas() {
        for (SeedPhase phase : SeedPhase.values()) {
            NodeSeedStatus entry = NodeSeedStatus.without("a", phase, null, "d", 1);
            String json = Serialization.asJson(entry);
            assertThat(json).contains("\"phase\":\"" + phase.name() + "\"");
            assertThat(Serialization.unmarshal(json, NodeSeedStatus.class)).isEqualTo(entry);
        }
        assertThat(SeedPhase.values())
                .extracting(Enum::name)
                .containsExactlyInAnyOrder("Pending", "Building", "Ready", "Failed", "Removing");
    }
}

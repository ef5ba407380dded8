package io.workdisk.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.seed.SeedOwnership;
import org.junit.jupiter.api.Test;

/** The API's ownership rule reaches the engine as the same rule, for rootfs and image seeds alike. */
class SeedOwnershipsTest {
    @Test
    void eachRuleMapsToTheEnginesAndNoneToRoot() {
        assertThat(SeedOwnerships.forEngine(io.workdisk.api.task.SeedOwnership.Root))
                .isEqualTo(SeedOwnership.ROOT);
        assertThat(SeedOwnerships.forEngine(io.workdisk.api.task.SeedOwnership.Preserve))
                .isEqualTo(SeedOwnership.PRESERVE);
        assertThat(SeedOwnerships.forEngine(null)).isEqualTo(SeedOwnership.ROOT);
    }
}

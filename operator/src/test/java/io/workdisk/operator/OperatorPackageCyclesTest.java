package io.workdisk.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** The operator's packages form a hierarchy: none depends, through others, on itself. */
class OperatorPackageCyclesTest {

    @Test
    void theOperatorHasNoPackageCycle() {
        PackageCycles packages = PackageCycles.ofModuleOf(WorkdiskOperator.class);
        assertThat(packages.dependingPackages()).isGreaterThan(3);
        assertThat(packages.cycles()).isEmpty();
    }
}

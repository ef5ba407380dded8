package io.workdisk.agent.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.testing.PackageCycles;
import io.workdisk.api.DataRootLayout;
import io.workdisk.csi.CsiSocketServer;
import io.workdisk.observability.HealthServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packages of the agent and of the modules below it form a hierarchy: a newcomer can read each
 * package knowing only those below it (the engine: shared, then tools, files, ext4, then resize,
 * inspect, output, then oci (the image model), then seed and image, then DiskEngine on top). The operator's and the demo's own
 * tests hold theirs.
 */
class PackageCyclesTest {

    @ParameterizedTest
    @ValueSource(classes = {DiskEngine.class, DataRootLayout.class, CsiSocketServer.class, HealthServer.class})
    void theModuleHasNoPackageCycle(Class<?> member) {
        PackageCycles packages = PackageCycles.ofModuleOf(member);
        assertThat(packages.cycles()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(classes = {DiskEngine.class})
    void theAgentsPackagesAreRead(Class<?> member) {
        assertThat(PackageCycles.ofModuleOf(member).dependingPackages()).isGreaterThan(10);
    }
}

package io.workdisk.agent.csi;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.SourceImports;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node service's core knows nothing of Kubernetes: it asks {@link NodeDisks}, and only the agent's adapter
 * (the {@code cluster} package below it) reads the API. Keeps the privileged code small and testable alone.
 */
class CsiNodeDependenciesTest {
    @Test
    void theNodeServiceCoreImportsNoKubernetesTypes() throws IOException {
        Path core = Path.of("src/main/java/io/workdisk/agent/csi");
        List<String> imports = SourceImports.directlyIn(core);
        assertThat(imports)
                .isNotEmpty()
                .noneMatch(i -> i.startsWith("io.fabric8")
                        || i.startsWith("io.javaoperatorsdk")
                        || i.startsWith("io.workdisk.api")
                        || i.startsWith("io.workdisk.agent.task")
                        || i.startsWith("io.workdisk.agent.csi.cluster"));
        assertThat(imports).contains("io.workdisk.csi.VolumeId");
    }
}

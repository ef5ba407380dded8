package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.SourceImports;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine runs without Kubernetes (the workdisk CLI on a plain host): from the API module it may use
 * only the plain-Java contract classes, and nothing of Fabric8 or the operator SDK.
 */
class EngineDependenciesTest {
    private static final List<String> ALLOWED_API =
            List.of("io.workdisk.api.DiskLimits", "io.workdisk.api.DataRootLayout", "io.workdisk.api.UserMessages");

    @Test
    void theEngineImportsNoKubernetesTypes() throws IOException {
        Path engine = Path.of("src/main/java/io/workdisk/agent/engine");
        assertThat(engine).isDirectory();
        List<String> imports = SourceImports.below(engine);
        assertThat(imports)
                .isNotEmpty()
                .noneMatch(i -> i.startsWith("io.fabric8") || i.startsWith("io.javaoperatorsdk"))
                .filteredOn(i -> i.startsWith("io.workdisk.api"))
                .allMatch(ALLOWED_API::contains);
        assertThat(imports).contains("io.workdisk.api.DiskLimits");
    }
}

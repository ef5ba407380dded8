package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
        List<String> imports;
        try (Stream<Path> files = Files.walk(engine)) {
            imports = files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(EngineDependenciesTest::imports)
                    .toList();
        }
        assertThat(imports)
                .isNotEmpty()
                .noneMatch(i -> i.startsWith("io.fabric8") || i.startsWith("io.javaoperatorsdk"))
                .filteredOn(i -> i.startsWith("io.workdisk.api"))
                .allMatch(ALLOWED_API::contains);
        assertThat(imports).contains("io.workdisk.api.DiskLimits");
    }

    private static Stream<String> imports(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .filter(l -> l.startsWith("import "))
                    .map(l -> l.replaceFirst("^import (static )?", "")
                            .replace(";", "")
                            .strip());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.workdisk.agent.csi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The node service's core knows nothing of Kubernetes: it asks {@link NodeDisks}, and only the agent's adapter
 * (the {@code cluster} package below it) reads the API. Keeps the privileged code small and testable alone.
 */
class CsiNodeDependenciesTest {
    @Test
    void theNodeServiceCoreImportsNoKubernetesTypes() throws IOException {
        Path core = Path.of("src/main/java/io/workdisk/agent/csi");
        List<String> imports;
        try (Stream<Path> files = Files.list(core)) {
            imports = files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(CsiNodeDependenciesTest::imports)
                    .toList();
        }
        assertThat(imports)
                .isNotEmpty()
                .noneMatch(i -> i.startsWith("io.fabric8")
                        || i.startsWith("io.javaoperatorsdk")
                        || i.startsWith("io.workdisk.api")
                        || i.startsWith("io.workdisk.agent.task")
                        || i.startsWith("io.workdisk.agent.csi.cluster"));
        assertThat(imports).contains("io.workdisk.csi.VolumeId");
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

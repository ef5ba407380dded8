package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file in examples/ is accepted by the real API server as it stands, applied with the real kubectl
 * the way a reader would (the schema, the CEL rules and YAML's own typing all apply: an unquoted digest of
 * digits is a number, and the server refuses it), and what is stored is what the file says. Nothing
 * reconciles them here: no operator runs, so no registry or download is needed.
 */
@ExtendWith(SharedApiServer.class)
class ExamplesApplyTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void everyExampleIsAcceptedAsWritten(RealApiServer api) throws IOException {
        Kubectl kubectl = Kubectl.of(api, tmp);
        List<Path> examples;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            examples =
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(examples).hasSizeGreaterThanOrEqualTo(5);
        try (KubernetesClient kube = api.newClient("examples")) {
            for (Path example : examples) {
                Shell.Result r = kubectl.run("apply", "--server-side", "-f", example.toString());
                assertThat(r.exitCode())
                        .as("examples/%s is refused:\n%s", example.getFileName(), r.stderr())
                        .isZero();
                GenericKubernetesResource written =
                        Serialization.unmarshal(Files.readString(example), GenericKubernetesResource.class);
                var kind = kube.genericKubernetesResources(written.getApiVersion(), written.getKind());
                String namespace = written.getMetadata().getNamespace();
                GenericKubernetesResource stored = (namespace == null
                                ? kind.withName(written.getMetadata().getName())
                                : kind.inNamespace(namespace)
                                        .withName(written.getMetadata().getName()))
                        .get();
                assertThat(spec(stored))
                        .as("examples/%s is stored as written", example.getFileName())
                        .isEqualTo(withDefaults(spec(written), spec(stored)));
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource object) {
        return (Map<String, Object>) object.getAdditionalProperties().get("spec");
    }

    /** The file's spec with what the server's defaults added to it, so that only a change shows. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withDefaults(Map<String, Object> written, Map<String, Object> stored) {
        var merged = new LinkedHashMap<String, Object>(stored);
        written.forEach((key, value) -> merged.put(
                key,
                value instanceof Map<?, ?> inner && stored.get(key) instanceof Map<?, ?> storedInner
                        ? withDefaults((Map<String, Object>) inner, (Map<String, Object>) storedInner)
                        : value));
        return merged;
    }
}

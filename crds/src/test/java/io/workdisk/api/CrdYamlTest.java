package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD YAML under crds/yaml is exactly what the generator makes from the Java types. To
 * update it after changing a type: {@code ./mvnw -pl crds test -Dworkdisk.updateCrds=true}.
 */
class CrdYamlTest {
    static final Path COMMITTED = Path.of("yaml");

    @TempDir
    Path tmp;

    static final List<Class<?>> TYPES = List.of(WorkDisk.class, WorkSeed.class, WorkTask.class, WorkNode.class);

    /**
     * The generator's output, with printer columns put back in the order the type declares them (the
     * generator sorts them by path, which would show AGE first in kubectl), and the kind's
     * {@code @JsonClassDescription} as the description of the whole schema (what {@code kubectl explain KIND}
     * shows first; the generator describes only properties).
     */
    static Path generate(Path dir) throws IOException {
        new CRDGenerator()
                .customResourceClasses(TYPES.stream()
                        .map(c -> (Class<? extends HasMetadata>) c.asSubclass(HasMetadata.class))
                        .toArray(Class[]::new))
                .forCRDVersions("v1")
                .inOutputDir(dir.toFile())
                .generate();
        for (Class<?> type : TYPES) {
            List<String> order = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name)
                    .toList();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName()
                                .toString()
                                .startsWith(HasMetadata.getPlural(type.asSubclass(HasMetadata.class)) + "."))
                        .toList()) {
                    String yaml = Files.readString(file);
                    String header = yaml.substring(0, yaml.indexOf('\n') + 1);
                    CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
                    for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
                        v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
                        v.getSchema()
                                .getOpenAPIV3Schema()
                                .setDescription(type.getAnnotation(JsonClassDescription.class)
                                        .value());
                    }
                    Files.writeString(file, header + Serialization.asYaml(crd).replaceFirst("^---\n", ""));
                }
            }
        }
        return dir;
    }

    @Test
    void committedYamlMatchesTheTypes() throws IOException {
        Path generated = generate(tmp);
        if (Boolean.getBoolean("workdisk.updateCrds")) {
            Files.createDirectories(COMMITTED);
            try (Stream<Path> old = Files.list(COMMITTED)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            for (Path p : list(generated)) {
                Files.copy(p, COMMITTED.resolve(p.getFileName()));
            }
        }
        List<Path> files = list(generated);
        assertThat(files)
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(
                        "workdisks.workdisk.io-v1.yml",
                        "workseeds.workdisk.io-v1.yml",
                        "worktasks.workdisk.io-v1.yml",
                        "worknodes.workdisk.io-v1.yml");
        assertThat(list(COMMITTED))
                .extracting(p -> p.getFileName().toString())
                .as("crds/yaml holds exactly the generated CRDs")
                .containsExactlyInAnyOrderElementsOf(
                        files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : files) {
            assertThat(Files.readString(COMMITTED.resolve(p.getFileName())))
                    .as(
                            "crds/yaml/%s drifted from the Java types; regenerate with "
                                    + "./mvnw -pl crds test -Dworkdisk.updateCrds=true",
                            p.getFileName())
                    .isEqualTo(Files.readString(p));
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}

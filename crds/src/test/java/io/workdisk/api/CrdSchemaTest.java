package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the committed CRDs show kubectl users: field descriptions and printer columns. The validation rules
 * are tested where they are enforced, on a real API server (demo's CrdRulesTest).
 */
class CrdSchemaTest {
    static CustomResourceDefinitionVersion version(String file) throws Exception {
        CustomResourceDefinition crd =
                Serialization.unmarshal(Files.readString(Path.of("yaml", file)), CustomResourceDefinition.class);
        return crd.getSpec().getVersions().get(0);
    }

    static JSONSchemaProps spec(String file) throws Exception {
        return version(file).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    @Test
    void aSeedsPhaseOnANodeIsOneOfTheFiveTheOperatorWrites() throws Exception {
        JSONSchemaProps phase = version("workseeds.workdisk.io-v1.yml")
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("status")
                .getProperties()
                .get("nodes")
                .getItems()
                .getSchema()
                .getProperties()
                .get("phase");
        assertThat(phase.getEnum())
                .extracting(Object::toString)
                .containsExactly("\"Building\"", "\"Failed\"", "\"Pending\"", "\"Ready\"", "\"Removing\"");
    }

    @Test
    void everyUserFacingFieldIsDescribedForKubectlExplain() throws Exception {
        for (String file : List.of("workdisks.workdisk.io-v1.yml", "workseeds.workdisk.io-v1.yml")) {
            spec(file)
                    .getProperties()
                    .forEach((name, props) -> assertThat(props.getDescription())
                            .as("%s spec.%s", file, name)
                            .isNotBlank());
        }
    }

    @Test
    void printerColumnsAreWhatKubectlGetShouldShow() throws Exception {
        assertThat(version("workdisks.workdisk.io-v1.yml").getAdditionalPrinterColumns())
                .filteredOn(c -> c.getPriority() == 0)
                .extracting(c -> c.getName())
                .containsExactly("Phase", "Size", "Node", "Seed", "Age");
        assertThat(version("workseeds.workdisk.io-v1.yml").getAdditionalPrinterColumns())
                .extracting(c -> c.getName())
                .containsExactly("Ready", "Source", "Progress", "Age");
        assertThat(version("workdisks.workdisk.io-v1.yml").getSubresources().getStatus())
                .isNotNull();
    }
}

package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the committed CRDs make the API server check before anything runs. The mock server enforces none
 * of it, so the rules are read from the YAML itself, and the patterns are exercised here.
 */
class CrdSchemaTest {
    static CustomResourceDefinitionVersion version(String file) throws Exception {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(Path.of("yaml", file)), CustomResourceDefinition.class);
        return crd.getSpec().getVersions().get(0);
    }

    static JSONSchemaProps spec(String file) throws Exception {
        return version(file).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    static List<String> rules(JSONSchemaProps props) {
        return props.getXKubernetesValidations() == null ? List.of()
                : props.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList();
    }

    @Test
    void workDiskSizeIsRequiredPatternedAtLeast64MiAndGrowOnly() throws Exception {
        JSONSchemaProps spec = spec("workdisks.workdisk.io-v1.yml");
        assertThat(spec.getRequired()).contains("size");
        Pattern quantity = Pattern.compile(spec.getProperties().get("size").getPattern());
        assertThat(List.of("8Gi", "500M", "1073741824", "1.5Gi")).allMatch(s -> quantity.matcher(s).find());
        assertThat(List.of("-1Gi", "abc", "8 Gi", "8GB", "")).noneMatch(s -> quantity.matcher(s).find());
        assertThat(rules(spec)).contains(
                "quantity(self.size).compareTo(quantity('64Mi')) >= 0",
                "quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0");
    }

    @Test
    void workDiskSeedRefAndNodeNameAreImmutable() throws Exception {
        List<String> rules = rules(spec("workdisks.workdisk.io-v1.yml"));
        assertThat(rules).anyMatch(r -> r.contains("self.seedRef == oldSelf.seedRef") && r.contains("has(oldSelf.seedRef)"));
        assertThat(rules).anyMatch(r -> r.contains("self.nodeName == oldSelf.nodeName"));
        assertThat(spec("workdisks.workdisk.io-v1.yml").getProperties().get("reclaimPolicy").getEnum())
                .extracting(Object::toString).containsExactly("\"Delete\"", "\"Retain\"");
    }

    @Test
    void aSeedsPhaseOnANodeIsOneOfTheFiveTheOperatorWrites() throws Exception {
        JSONSchemaProps phase = version("workseeds.workdisk.io-v1.yml").getSchema().getOpenAPIV3Schema()
                .getProperties().get("status").getProperties().get("nodes").getItems().getSchema()
                .getProperties().get("phase");
        assertThat(phase.getEnum()).extracting(Object::toString)
                .containsExactly("\"Building\"", "\"Failed\"", "\"Pending\"", "\"Ready\"", "\"Removing\"");
    }

    @Test
    void workSeedSourceIsExactlyOneOfHostPathOrHttpWithAChecksum() throws Exception {
        JSONSchemaProps source = spec("workseeds.workdisk.io-v1.yml").getProperties().get("source");
        assertThat(rules(source)).containsExactly("has(self.hostPath) != has(self.http)");
        JSONSchemaProps http = source.getProperties().get("http");
        assertThat(http.getRequired()).containsExactlyInAnyOrder("url", "sha256");
        Pattern sha = Pattern.compile(http.getProperties().get("sha256").getPattern());
        assertThat(sha.matcher("a".repeat(64)).find()).isTrue();
        assertThat(sha.matcher("A".repeat(64)).find()).isFalse();
        assertThat(sha.matcher("a".repeat(63)).find()).isFalse();
        assertThat(Pattern.compile(source.getProperties().get("hostPath").getProperties().get("path").getPattern())
                .matcher("relative/path").find()).isFalse();
    }

    @Test
    void everyUserFacingFieldIsDescribedForKubectlExplain() throws Exception {
        for (String file : List.of("workdisks.workdisk.io-v1.yml", "workseeds.workdisk.io-v1.yml")) {
            spec(file).getProperties().forEach((name, props) ->
                    assertThat(props.getDescription()).as("%s spec.%s", file, name).isNotBlank());
        }
    }

    @Test
    void printerColumnsAreWhatKubectlGetShouldShow() throws Exception {
        assertThat(version("workdisks.workdisk.io-v1.yml").getAdditionalPrinterColumns())
                .filteredOn(c -> c.getPriority() == 0).extracting(c -> c.getName())
                .containsExactly("Phase", "Size", "Node", "Seed", "Age");
        assertThat(version("workseeds.workdisk.io-v1.yml").getAdditionalPrinterColumns()).extracting(c -> c.getName())
                .containsExactly("Ready", "Source", "Age");
        assertThat(version("workdisks.workdisk.io-v1.yml").getSubresources().getStatus()).isNotNull();
    }

    /** Every CEL rule in every CRD parses: a syntax error would make a real API server refuse the whole CRD. */
    @Test
    void everyCelRuleParses() throws Exception {
        var cel = dev.cel.bundle.CelFactory.standardCelBuilder().build();
        List<String> rules = new java.util.ArrayList<>();
        for (String file : List.of("workdisks.workdisk.io-v1.yml", "workseeds.workdisk.io-v1.yml",
                "worktasks.workdisk.io-v1.yml", "worknodes.workdisk.io-v1.yml")) {
            collect(version(file).getSchema().getOpenAPIV3Schema(), rules);
        }
        assertThat(rules).hasSizeGreaterThanOrEqualTo(5);
        for (String rule : rules) {
            var parsed = cel.parse(rule);
            assertThat(parsed.hasError()).as("%s: %s", rule, parsed.hasError() ? parsed.getErrorString() : "").isFalse();
        }
    }

    private static void collect(JSONSchemaProps props, List<String> rules) {
        if (props == null) {
            return;
        }
        rules.addAll(rules(props));
        if (props.getProperties() != null) {
            props.getProperties().values().forEach(p -> collect(p, rules));
        }
        if (props.getItems() != null) {
            collect(props.getItems().getSchema(), rules);
        }
    }
}

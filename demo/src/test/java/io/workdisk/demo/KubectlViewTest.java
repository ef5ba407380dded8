package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What a platform engineer reads with kubectl on a real API server: explain, get, Events, times. */
@ExtendWith(SharedApiServer.class)
class KubectlViewTest {
    static final List<String> CRDS = List.of("workdisks.workdisk.io", "workseeds.workdisk.io", "worktasks.workdisk.io",
            "worknodes.workdisk.io");

    @TempDir
    Path tmp;
    RealApiServer api;
    KubernetesClient kube;
    Kubectl kubectl;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        this.api = api;
        this.kube = api.newClient("user");
        this.kubectl = new Kubectl(api, tmp);
    }

    @AfterEach
    void tearDown() {
        kube.close();
    }

    @Test
    void everyFieldOfEveryKindIsDescribed() {
        for (String name : CRDS) {
            CustomResourceDefinition crd = kube.apiextensions().v1().customResourceDefinitions().withName(name).get();
            assertThat(crd.getSpec().getVersions()).isNotEmpty();
            for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
                String at = name + "/" + version.getName();
                assertThat(root.getDescription()).as("%s: the kind's own description", at).isNotBlank();
                List<String> undescribed = new ArrayList<>();
                List<String> walked = new ArrayList<>();
                walk(root, "", undescribed, walked);
                assertThat(walked).as("%s has spec or status", at).containsAnyOf(".spec", ".status");
                assertThat(undescribed).as("%s: properties without a useful description", at).isEmpty();
            }
        }
    }

    /** Every property below {@code schema}, through objects, array items and map values. */
    static void walk(JSONSchemaProps schema, String path, List<String> undescribed, List<String> walked) {
        if (schema == null) {
            return;
        }
        for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties().entrySet()) {
            String at = path + "." + p.getKey();
            walked.add(at);
            String description = p.getValue().getDescription();
            if (description == null || description.isBlank() || restatesName(p.getKey(), description)) {
                undescribed.add(at + ": " + description);
            }
            walk(p.getValue(), at, undescribed, walked);
        }
        if (schema.getItems() != null) {
            walk(schema.getItems().getSchema(), path + "[]", undescribed, walked);
        }
        if (schema.getAdditionalProperties() != null) {
            walk(schema.getAdditionalProperties().getSchema(), path + "{}", undescribed, walked);
        }
    }

    /** "The node name." for nodeName: the words of the name and nothing else. */
    static boolean restatesName(String name, String description) {
        String words = description.toLowerCase(Locale.ROOT).replaceAll("\\b(the|a|an|of)\\b", "").replaceAll("[^a-z0-9]", "");
        return words.equals(name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""));
    }

    @Test
    void kubectlExplainShowsTheDescriptions() {
        // what the server publishes for a new CRD may lag behind it being Established
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.run("explain", "worknode.status")
                .exitCode()).isZero());
        assertExplains("workdisk", description("workdisks.workdisk.io"));
        assertExplains("workdisk.spec", description("workdisks.workdisk.io", "spec"),
                description("workdisks.workdisk.io", "spec", "size"), description("workdisks.workdisk.io", "spec", "seedRef"));
        assertExplains("workdisk.status.conditions.lastTransitionTime",
                description("workdisks.workdisk.io", "status", "conditions", "lastTransitionTime"));
        assertExplains("workseed.status", description("workseeds.workdisk.io", "status"),
                description("workseeds.workdisk.io", "status", "readyNodes"));
        assertExplains("worktask.status.result", description("worktasks.workdisk.io", "status", "result"),
                description("worktasks.workdisk.io", "status", "result", "allocatedBytes"));
        assertExplains("worknode.status", description("worknodes.workdisk.io", "status"),
                description("worknodes.workdisk.io", "status", "heartbeatTime"));
        assertThat(kubectl.ok("explain", "workseed.status", "--recursive")).contains("nodes", "sourceDigest", "conditions",
                "lastTransitionTime", "readyNodes", "desiredNodes");
    }

    /** kubectl explain FIELD shows each description (kubectl wraps lines: compared with whitespace folded). */
    void assertExplains(String field, String... descriptions) {
        String shown = folded(kubectl.ok("explain", field));
        for (String d : descriptions) {
            assertThat(d).as("the CRD describes %s", field).isNotBlank();
            assertThat(shown).as("kubectl explain %s", field).contains(folded(d));
        }
    }

    static String folded(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    /** The description of a property of a CRD as the server holds it; no path: the kind's. */
    String description(String crd, String... path) {
        JSONSchemaProps schema = kube.apiextensions().v1().customResourceDefinitions().withName(crd).get().getSpec()
                .getVersions().get(0).getSchema().getOpenAPIV3Schema();
        for (String p : path) {
            schema = schema.getItems() != null ? schema.getItems().getSchema().getProperties().get(p)
                    : schema.getProperties().get(p);
        }
        return schema.getDescription();
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered chart and the CRDs validate against the Kubernetes OpenAPI schemas, using kubernetes-models
 * (tools/validate-manifests, installed by .ci/run with npm ci). Where node or the validator is not installed,
 * skipped with a message locally and failed in CI ({@link Requirements}).
 */
class ManifestSchemaTest {
    static final Path VALIDATOR =
            Path.of("..", "tools", "validate-manifests").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    static Shell.Result validate(Path manifests) {
        Path node = Requirements.tool("node", "apt-get install nodejs");
        Requirements.need(
                Files.isDirectory(VALIDATOR.resolve("node_modules/kubernetes-models")),
                "kubernetes-models is not installed (npm ci --prefix tools/validate-manifests; bash .ci/run does it)");
        return Shell.run(
                List.of(node.toString(), VALIDATOR.resolve("validate.js").toString(), manifests.toString()));
    }

    @Test
    void renderedChartAndCrdsAreValidKubernetesObjects() throws Exception {
        for (String[] values : new String[][] {{}, {"admissionPolicy.enabled=false", "agent.capacity=100Gi"}}) {
            List<String> cmd = new ArrayList<>(List.of(
                    HelmChartTest.helm().toString(),
                    "template",
                    "wd",
                    HelmChartTest.CHART.toString(),
                    "--namespace",
                    "workdisk-system",
                    "--include-crds"));
            for (String v : values) {
                cmd.addAll(List.of("--set", v));
            }
            Shell.Result rendered = Shell.run(cmd);
            assertThat(rendered.exitCode()).as(rendered.stderr()).isZero();
            Path file = Files.writeString(tmp.resolve("rendered-" + values.length + ".yaml"), rendered.stdout());
            Shell.Result r = validate(file);
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
            assertThat(r.stdout().lines().filter(l -> l.startsWith("ok "))).hasSizeGreaterThanOrEqualTo(12);
        }
        try (Stream<Path> crds = Files.list(Path.of("..", "crds", "yaml"))) {
            for (Path crd : crds.toList()) {
                Shell.Result r = validate(crd);
                assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
            }
        }
    }

    @Test
    void theValidatorRejectsWhatAnApiServerWould() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  replicas: two
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers: [{name: c, image: x}]
                """);
        Shell.Result r = validate(bad);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stdout()).contains("INVALID Deployment broken").contains("replicas");
    }
}

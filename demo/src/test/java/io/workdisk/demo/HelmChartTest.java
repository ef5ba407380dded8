package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Helm chart lints, renders, carries the CRDs of crds/yaml unchanged, and grants what it should.
 * helm is looked up on PATH and in .tools/helm (where .ci/run puts it); without it the rendering tests
 * are skipped with a message locally and fail in CI ({@link #helm()}), the CRD drift check always runs.
 */
class HelmChartTest {
    static final Path CHART =
            Path.of("..", "charts", "workdisk-operator").toAbsolutePath().normalize();
    static final Optional<Path> helm = findHelm();

    /** The helm the chart tests run, or the test cannot run (see {@link Requirements}). */
    static Path helm() {
        Requirements.need(helm.isPresent(), "helm is not on PATH nor in .tools/helm (bash .ci/run fetches it)");
        return helm.orElseThrow();
    }

    static Optional<Path> findHelm() {
        return Stream.concat(
                        Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "helm")),
                        Stream.of(Path.of("..", ".tools", "helm", "helm")
                                .toAbsolutePath()
                                .normalize()))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static List<HasMetadata> render(String... sets) {
        List<String> cmd = new ArrayList<>(
                List.of(helm().toString(), "template", "wd", CHART.toString(), "--namespace", "workdisk-system"));
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        Shell.Result r = Shell.run(cmd);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Serialization.unmarshal(r.stdout());
    }

    @Test
    void chartCrdsAreTheCommittedCrds() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("..", "crds", "yaml"))) {
            for (Path crd : files.toList()) {
                assertThat(CHART.resolve("crds").resolve(crd.getFileName()))
                        .as("charts/workdisk-operator/crds drifted from crds/yaml; copy them over")
                        .hasSameTextualContentAs(crd);
            }
        }
        try (Stream<Path> files = Files.list(CHART.resolve("crds"))) {
            assertThat(files.count()).isEqualTo(4);
        }
    }

    @Test
    void chartLints() {
        Shell.Result r = Shell.run(List.of(helm().toString(), "lint", "--strict", CHART.toString()));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        Shell.Result bad =
                Shell.run(List.of(helm().toString(), "lint", CHART.toString(), "--set", "operator.replicas=0"));
        assertThat(bad.exitCode()).as("values.schema.json rejects nonsense").isNotZero();
    }

    @Test
    void rendersEveryPartWithLeastPrivilege() {
        List<HasMetadata> objects = render();
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .contains(
                        "Deployment",
                        "DaemonSet",
                        "ServiceAccount",
                        "ClusterRole",
                        "ClusterRoleBinding",
                        "Role",
                        "RoleBinding",
                        "ValidatingAdmissionPolicy",
                        "ValidatingAdmissionPolicyBinding");
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRole role) {
                assertThat(role.getRules())
                        .as("%s reads no Secrets", role.getMetadata().getName())
                        .noneMatch(rule -> rule.getResources().contains("secrets")
                                || rule.getResources().contains("*")
                                || rule.getVerbs().contains("*"));
            }
        }
        ClusterRole agent = objects.stream()
                .filter(o ->
                        o instanceof ClusterRole && o.getMetadata().getName().equals("wd-agent"))
                .map(ClusterRole.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(agent.getRules()).allMatch(r -> r.getApiGroups().equals(List.of("workdisk.io")));
        DaemonSet ds = objects.stream()
                .filter(DaemonSet.class::isInstance)
                .map(DaemonSet.class::cast)
                .findFirst()
                .orElseThrow();
        var container = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getEnv())
                .anyMatch(e -> e.getName().equals("NODE_NAME")
                        && e.getValueFrom().getFieldRef().getFieldPath().equals("spec.nodeName"));
        assertThat(container.getArgs())
                .contains("run", "--root=/var/lib/workdisk", "--image-dir=/var/lib/workdisk-images");
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes())
                .extracting(v -> v.getHostPath().getPath())
                .containsExactly(
                        "/var/lib/workdisk",
                        "/var/lib/workdisk-images",
                        "/var/lib/kubelet/plugins/workdisk.io",
                        "/var/lib/kubelet/plugins_registry",
                        "/var/lib/kubelet",
                        "/dev");
        Deployment op = objects.stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(op.getSpec().getReplicas()).isEqualTo(2);
        assertThat(op.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
                .isTrue();
    }

    /**
     * Registry credentials and a CA bundle reach the agent as files the kubelet mounts, read-only, named by
     * its flags; the agent's permissions stay exactly what they are without them.
     */
    @Test
    void registryCredentialsAndCaAreMountedIntoTheAgentWhichGainsNoPermission() {
        List<HasMetadata> plain = render();
        List<HasMetadata> objects = render(
                "registry.configSecret=regcred",
                "registry.caBundle.secret=registry-ca",
                "registry.caBundle.key=ca.pem");
        DaemonSet ds = objects.stream()
                .filter(DaemonSet.class::isInstance)
                .map(DaemonSet.class::cast)
                .findFirst()
                .orElseThrow();
        var pod = ds.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getArgs())
                .contains(
                        "--registry-config=/etc/workdisk/registry/config.json",
                        "--ca-file=/etc/workdisk/registry-ca/ca.crt");
        assertThat(container.getVolumeMounts())
                .filteredOn(m -> m.getName().startsWith("registry-"))
                .extracting(m -> m.getName() + " " + m.getMountPath() + " " + m.getReadOnly())
                .containsExactly(
                        "registry-config /etc/workdisk/registry true", "registry-ca /etc/workdisk/registry-ca true");
        assertThat(pod.getVolumes())
                .filteredOn(v -> v.getSecret() != null)
                .extracting(v -> v.getSecret().getSecretName() + " "
                        + v.getSecret().getItems().get(0).getKey() + "->"
                        + v.getSecret().getItems().get(0).getPath())
                .containsExactly("regcred .dockerconfigjson->config.json", "registry-ca ca.pem->ca.crt");
        assertThat(rbac(objects)).as("the same roles and bindings as without").isEqualTo(rbac(plain));
        assertThat(objects.stream()
                        .filter(o -> o.getKind().endsWith("Role"))
                        .flatMap(o -> Serialization.asYaml(o).lines()))
                .noneMatch(l -> l.contains("secrets") || l.contains("configmaps"));

        DaemonSet withConfigMap = render("registry.caBundle.configMap=registry-ca").stream()
                .filter(DaemonSet.class::isInstance)
                .map(DaemonSet.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(withConfigMap.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getConfigMap() != null)
                .extracting(v -> v.getConfigMap().getName() + " "
                        + v.getConfigMap().getItems().get(0).getKey())
                .containsExactly("registry-ca ca.crt");
        assertThat(withConfigMap
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getArgs())
                .contains("--ca-file=/etc/workdisk/registry-ca/ca.crt")
                .noneMatch(a -> a.startsWith("--registry-config"));
    }

    static List<String> rbac(List<HasMetadata> objects) {
        return objects.stream()
                .filter(o -> o.getKind().endsWith("Role") || o.getKind().endsWith("RoleBinding"))
                .map(Serialization::asYaml)
                .toList();
    }

    @Test
    void theLayerCacheBoundReachesTheAgentAndABadOneIsRefusedByTheSchema() {
        assertThat(ChartImagesTest.agent(render()).getArgs()).noneMatch(a -> a.startsWith("--layer-cache-size"));
        assertThat(ChartImagesTest.agent(render("agent.layerCacheSize=50Gi")).getArgs())
                .contains("--layer-cache-size=50Gi");

        Shell.Result bad = Shell.run(
                List.of(helm().toString(), "template", "wd", CHART.toString(), "--set", "agent.layerCacheSize=lots"));
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr()).contains("layerCacheSize");
    }

    @Test
    void admissionPolicyCanBeTurnedOff() {
        assertThat(render("admissionPolicy.enabled=false"))
                .extracting(HasMetadata::getKind)
                .doesNotContain("ValidatingAdmissionPolicy");
    }

    /**
     * The API server takes the rendered admission policy and its binding. It compiles every expression when
     * the policy is written and refuses one that does not compile, as the broken copy shows. What the
     * policy allows and denies is tested under real identities elsewhere. The schema-aware type check
     * (status.typeChecking) is not: kube-controller-manager writes it, and the test server runs without one.
     */
    @Test
    @ExtendWith(SharedApiServer.class)
    void admissionPolicyIsAcceptedByTheApiServer(RealApiServer api) {
        List<HasMetadata> rendered = render();
        ValidatingAdmissionPolicy policy = rendered.stream()
                .filter(ValidatingAdmissionPolicy.class::isInstance)
                .map(ValidatingAdmissionPolicy.class::cast)
                .findFirst()
                .orElseThrow();
        ValidatingAdmissionPolicyBinding binding = rendered.stream()
                .filter(ValidatingAdmissionPolicyBinding.class::isInstance)
                .map(ValidatingAdmissionPolicyBinding.class::cast)
                .findFirst()
                .orElseThrow();
        try (KubernetesClient kube = api.newClient("user")) {
            ValidatingAdmissionPolicy stored = kube.resource(policy).create();
            kube.resource(binding).create();
            List<String> expressions = new ArrayList<>();
            stored.getSpec().getVariables().forEach(v -> expressions.add(v.getExpression()));
            stored.getSpec().getValidations().forEach(v -> expressions.add(v.getExpression()));
            assertThat(expressions)
                    .hasSize(8)
                    .anyMatch(e -> e.contains("system:serviceaccount:workdisk-system:wd-operator"))
                    .anyMatch(e -> e.contains("authentication.kubernetes.io/node-name"));

            // a syntax error, and a misspelt variable
            for (String wrong : List.of("variables.operator &&", "variables.operater || variables.isTask")) {
                ValidatingAdmissionPolicy broken = new ValidatingAdmissionPolicyBuilder(policy)
                        .editMetadata()
                        .withName(policy.getMetadata().getName() + "-broken")
                        .endMetadata()
                        .build();
                broken.getSpec().getValidations().get(0).setExpression(wrong);
                KubernetesClientException refused = catchThrowableOfType(
                        KubernetesClientException.class,
                        () -> kube.resource(broken).create());
                assertThat(refused).as("a policy with '%s' is refused", wrong).isNotNull();
                assertThat(refused.getCode()).isEqualTo(422);
                assertThat(refused.getStatus().getMessage())
                        .contains("spec.validations[0].expression", "compilation failed");
            }
        }
    }
}

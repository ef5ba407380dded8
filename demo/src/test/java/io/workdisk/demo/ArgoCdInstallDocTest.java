package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command docs/install.md gives for putting the Argo CD health checks into {@code argocd-cm}, run as
 * written (kubectl and jq, from the repository) against the real API server: both keys hold the files'
 * text exactly, and what the ConfigMap held before stays.
 */
@ExtendWith(SharedApiServer.class)
class ArgoCdInstallDocTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Pattern PATCH = Pattern.compile("(?s)```\\n(kubectl -n argocd patch configmap argocd-cm.*?)```");

    @TempDir
    Path tmp;

    @Test
    void theDocumentedPatchPutsBothChecksIntoArgocdCm(RealApiServer api) throws Exception {
        assertThat(Shell.run(List.of("sh", "-c", "command -v jq")).exitCode())
                .as("jq is not installed (apt-get install jq; bash .ci/run installs it)")
                .isZero();
        Matcher block = PATCH.matcher(Files.readString(REPO.resolve("docs/install.md")));
        assertThat(block.find()).as("docs/install.md shows the argocd-cm patch").isTrue();
        api.ensureNamespace("argocd");
        KubernetesClient kube = api.newClient("user");
        try {
            kube.configMaps().inNamespace("argocd").withName("argocd-cm").delete();
            kube.resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("argocd-cm")
                            .withNamespace("argocd")
                            .endMetadata()
                            .withData(Map.of("url", "https://argocd.example"))
                            .build())
                    .create();
            Kubectl kubectl = Kubectl.of(api, tmp);

            Shell.Result r = Shell.run(List.of(
                    "sh",
                    "-c",
                    "cd \"$1\" && export KUBECONFIG=\"$2\" PATH=\"$3:$PATH\" && eval \"$4\"",
                    "install-doc",
                    REPO.toString(),
                    kubectl.kubeconfig().toString(),
                    kubectl.binary().getParent().toString(),
                    block.group(1)));
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();

            ConfigMap cm = kube.configMaps()
                    .inNamespace("argocd")
                    .withName("argocd-cm")
                    .get();
            assertThat(cm.getData())
                    .containsEntry("url", "https://argocd.example")
                    .containsEntry(
                            "resource.customizations.health.workdisk.io_WorkDisk",
                            Files.readString(ArgoCdHealth.CHECKS.resolve("WorkDisk/health.lua")))
                    .containsEntry(
                            "resource.customizations.health.workdisk.io_WorkSeed",
                            Files.readString(ArgoCdHealth.CHECKS.resolve("WorkSeed/health.lua")));
        } finally {
            kube.configMaps().inNamespace("argocd").withName("argocd-cm").delete();
            kube.close();
        }
    }
}

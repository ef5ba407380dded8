package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/install.md's Install section, run as written, command by command, on the suite's real API server
 * (with the real helm and kubectl): the nodes it labels exist and get the label, each documented
 * {@code helm install} is accepted whole (the chart's schema, the server's validation of every object it
 * makes) and its agent DaemonSet selects exactly the labelled nodes; the {@code ctr import} names are the
 * chart's default images, so that the import path needs no image flags. No kubelet runs: the pods never
 * start, which is what the ImageSmokeTest covers with the built images.
 */
@ExtendWith(SharedApiServer.class)
class InstallDocTest {
    static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    static final Path INSTALL_MD = REPOSITORY.resolve("docs").resolve("install.md");
    static final Pattern LABELLED_NODE = Pattern.compile("^kubectl label node ((?:[a-z0-9-]+ )+)([^ =]+)=(\\S+)$");
    static final Pattern IMPORT =
            Pattern.compile("^ctr .* import --base-name (\\S+) target/images/(\\S+)\\.oci\\.tar$");

    @TempDir
    Path tmp;

    Path kubeconfig;
    Kubectl kubectl;

    @AfterEach
    void uninstall() {
        if (kubeconfig != null) {
            shell("helm uninstall workdisk -n workdisk-system --ignore-not-found");
        }
    }

    @Test
    void theInstallSectionRunsAsWrittenAndTheAgentLandsOnTheLabelledNodes(RealApiServer api) throws IOException {
        Optional<Path> helm = HelmChartTest.helm;
        Requirements.need(helm.isPresent(), "helm on PATH or in .tools/helm (bash .ci/run fetches it)");
        kubectl = Kubectl.of(api, tmp);
        kubeconfig = kubectl.kubeconfig();
        List<String> commands = installCommands(Files.readString(INSTALL_MD));
        assertThat(commands)
                .as("docs/install.md's Install section: import, label, install")
                .anyMatch(c -> c.startsWith("ctr "))
                .anyMatch(c -> c.startsWith("kubectl label node "))
                .anyMatch(c -> c.startsWith("helm install "));

        KubernetesClient kube = api.newClient("install-doc");
        startFromAClusterWithoutTheCrds(kube);
        Map<String, String> label = Map.of();
        int installs = 0;
        for (String command : commands) {
            Matcher imported = IMPORT.matcher(command);
            Matcher labelled = LABELLED_NODE.matcher(command);
            if (imported.matches()) {
                // no containerd here: the name the image gets is what the chart must pull by default
                String name = imported.group(2);
                assertThat(imported.group(1))
                        .as("`%s` imports under the chart's default image name", command)
                        .isEqualTo(defaultRepository(name.replace("workdisk-", "")));
            } else if (labelled.matches()) {
                for (String node : labelled.group(1).trim().split(" ")) {
                    kube.nodes()
                            .resource(new NodeBuilder()
                                    .withNewMetadata()
                                    .withName(node)
                                    .endMetadata()
                                    .build())
                            .create();
                }
                label = Map.of(labelled.group(2), labelled.group(3));
                assertThat(shell(command).exitCode()).isZero();
                for (String node : labelled.group(1).trim().split(" ")) {
                    assertThat(kube.nodes().withName(node).get().getMetadata().getLabels())
                            .containsAllEntriesOf(label);
                }
            } else if (command.startsWith("helm install ")) {
                assertThat(label)
                        .as("the nodes are labelled before the install")
                        .isNotEmpty();
                Shell.Result r = shell(command);
                assertThat(r.exitCode())
                        .as("`%s` said:\n%s%s", command, r.stdout(), r.stderr())
                        .isZero();
                DaemonSet agent = kube.apps()
                        .daemonSets()
                        .inNamespace("workdisk-system")
                        .withName("workdisk-agent")
                        .get();
                assertThat(agent).as("the agent's DaemonSet is stored").isNotNull();
                PodSpec pod = agent.getSpec().getTemplate().getSpec();
                assertThat(pod.getNodeSelector()).isEqualTo(label);
                Deployment operator = kube.apps()
                        .deployments()
                        .inNamespace("workdisk-system")
                        .withName("workdisk-operator")
                        .get();
                assertThat(operator).as("the operator's Deployment is stored").isNotNull();
                assertThat(kube.storage()
                                .v1()
                                .csiDrivers()
                                .withName("workdisk.io")
                                .get())
                        .as("the CSI driver is installed")
                        .isNotNull();
                assertThat(kube.storage()
                                .v1()
                                .storageClasses()
                                .withName("workdisk")
                                .get())
                        .as("the workdisk StorageClass is installed")
                        .isNotNull();
                assertThat(shell("helm uninstall workdisk -n workdisk-system").exitCode())
                        .isZero();
                installs++;
            } else {
                throw new AssertionError("InstallDocTest does not know how to run `" + command + "`");
            }
        }
        assertThat(installs).isEqualTo(2);
        kube.close();
    }

    /**
     * The suite's server has workdisk's CRDs from its start, created by the suite (another field manager
     * than helm's, whose server-side apply then conflicts); the documented install starts from a cluster
     * without them and the chart brings them (helm leaves them installed, as the chart's CRDs, which are
     * crds/yaml's: HelmChartTest).
     */
    static void startFromAClusterWithoutTheCrds(KubernetesClient kube) {
        for (var crd : Crds.all()) {
            kube.resource(crd).delete();
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Crds.all().stream()
                        .allMatch(crd -> kube.apiextensions()
                                        .v1()
                                        .customResourceDefinitions()
                                        .withName(crd.getMetadata().getName())
                                        .get()
                                == null));
    }

    /** The image repository the chart pulls by default for {@code part} (operator or agent). */
    static String defaultRepository(String part) {
        var chart = HelmChartTest.render();
        String image = part.equals("operator")
                ? ChartImagesTest.operator(chart).getImage()
                : ChartImagesTest.agent(chart).getImage();
        return image.substring(0, image.lastIndexOf(':'));
    }

    /**
     * The commands of the fenced blocks between "## Install" and the next section, a line continued with a
     * backslash joined to the next.
     */
    static List<String> installCommands(String markdown) {
        int start = markdown.indexOf("\n## Install\n");
        assertThat(start).as("docs/install.md has an Install section").isPositive();
        int end = markdown.indexOf("\n## ", start + 1);
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder command = new StringBuilder();
        for (String line : markdown.substring(start, end).split("\n")) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
            } else if (inBlock) {
                if (line.endsWith("\\")) {
                    command.append(line, 0, line.length() - 1);
                } else {
                    command.append(line);
                    commands.add(command.toString().replaceAll("\\s+", " ").trim());
                    command.setLength(0);
                }
            }
        }
        return commands;
    }

    /** Runs {@code command} with bash in the repository's root, helm and kubectl on PATH, as the doc reads. */
    Shell.Result shell(String command) {
        String path = HelmChartTest.helm.orElseThrow().getParent() + ":"
                + kubectl.binary().getParent() + ":" + System.getenv("PATH");
        return Shell.run(List.of(
                "env",
                "PATH=" + path,
                "KUBECONFIG=" + kubeconfig,
                "bash",
                "-c",
                "cd '" + REPOSITORY + "' && " + command));
    }
}

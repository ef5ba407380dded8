package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container images that {@code ./workdisk images} builds, run as a cluster runs them (umoci unpacks,
 * runc runs; see {@link Container}): the agent image's CLI makes disks that its own e2fsck accepts, and the
 * operator image, started with the chart's arguments, environment and security context against the real API
 * server, brings a WorkDisk to Ready with an agent started from the agent image.
 *
 * <p>Without the archives in target/images, root, runc or umoci the tests are skipped with a message locally
 * and fail in CI, where {@code .ci/run} builds the archives before the tests (see {@link Requirements}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedApiServer.class)
class ImageSmokeTest {
    static final String NAMESPACE = "workdisk-system";

    @TempDir
    Path tmp;

    private OciImage agent;
    private OciImage operator;

    @BeforeAll
    void unpackImages(@TempDir Path images) throws IOException {
        boolean built =
                Files.exists(OciImage.archive("workdisk-agent")) && Files.exists(OciImage.archive("workdisk-operator"));
        Requirements.need(
                built, "no image archives in " + OciImage.DIR + " (build them with ./workdisk images; .ci/run does)");
        Requirements.root("runc");
        Requirements.tool("runc", "apt-get install runc");
        Requirements.tool("umoci", "apt-get install umoci");
        agent = OciImage.unpack(OciImage.archive("workdisk-agent"), images.resolve("agent"));
        operator = OciImage.unpack(OciImage.archive("workdisk-operator"), images.resolve("operator"));
    }

    @Test
    void imagesSayWhatTheyAreAndWhoTheyRunAs() {
        for (OciImage image : List.of(agent, operator)) {
            assertThat(image.labels())
                    .containsKeys(
                            "org.opencontainers.image.source",
                            "org.opencontainers.image.version",
                            "org.opencontainers.image.revision",
                            "org.opencontainers.image.created",
                            "io.workdisk.image.debian");
            assertThat(image.labels().get("org.opencontainers.image.revision")).matches("[0-9a-f]{40}(-dirty)?");
        }
        assertThat(operator.user())
                .as("the operator runs as a non-root user by itself")
                .isEqualTo("65532:65532");
        assertThat(operator.entrypoint()).endsWith("-jar", "/opt/workdisk/workdisk-operator.jar");
        assertThat(agent.entrypoint()).endsWith("-jar", "/opt/workdisk/workdisk-agent.jar");
        assertThat(agent.cmd()).contains(List.of("run"));
        assertThat(operator.rootfs().resolve("opt/workdisk"))
                .as("no demo, no mock API server")
                .isDirectoryContaining("glob:**/workdisk-operator.jar")
                .isDirectoryNotContaining("glob:**/workdisk.jar");
    }

    @Test
    void agentImageMakesDisksThatItsOwnE2fsckAccepts() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(data.resolve("seeds"));
        Files.createDirectories(data.resolve("disks"));
        Files.copy(Rootfs.ofFixture(tmp.resolve("fixture")), data.resolve("rootfs.ext4"));

        String version = agentCommand(data, "/sbin/mke2fs", "-V");
        Matcher m = Pattern.compile("mke2fs 1\\.(\\d+)\\.(\\d+)").matcher(version);
        assertThat(m.find()).as(version).isTrue();
        assertThat(Integer.parseInt(m.group(1)) * 100 + Integer.parseInt(m.group(2)))
                .as("e2fsprogs with mke2fs -d FILE.tar (1.47.1 or later): %s", version)
                .isGreaterThanOrEqualTo(4701);

        agentCli(data, "format", "--size", "64Mi", "/data/blank.ext4");
        agentCli(data, "build-seed", "--rootfs", "/data/rootfs.ext4", "/data/seeds/root.ext4");
        agentCli(data, "materialize", "--seed", "/data/seeds/root.ext4", "--size", "1Gi", "/data/disks/dev.ext4");
        for (String disk : List.of("/data/blank.ext4", "/data/seeds/root.ext4", "/data/disks/dev.ext4")) {
            agentCommand(data, "/sbin/e2fsck", "-f", "-n", disk);
        }
        assertThat(agentCommand(data, "/sbin/debugfs", "-R", "ls -p /", "/data/disks/dev.ext4"))
                .as("the materialized disk holds the seed's tree (the fixture's /root)")
                .contains("/.bashrc/");
    }

    /**
     * An agent CLI step through the image's entrypoint, privileged as the chart runs the agent (a seed's tree
     * may hold directories without permissions, which root reads only with CAP_DAC_OVERRIDE). -Xshare:on fails
     * the JVM unless the image's CDS archive maps.
     */
    private void agentCli(Path data, String... args) throws Exception {
        Path log = tmp.resolve("agent-cli.log");
        int exit = agent.container(tmp.resolve("c-" + args[0]))
                .privileged()
                .mount(data, "/data", false)
                .env("JAVA_TOOL_OPTIONS", "-Xshare:on")
                .args(List.of(args))
                .run(log);
        assertThat(exit).as("%s: %s", List.of(args), Files.readString(log)).isZero();
    }

    /** A program of the agent image (pod spec command), its output. */
    private String agentCommand(Path data, String... command) throws Exception {
        Path log = tmp.resolve("agent-command.log");
        int exit = agent.container(tmp.resolve("c-" + Path.of(command[0]).getFileName()))
                .privileged()
                .mount(data, "/data", false)
                .command(List.of(command))
                .run(log);
        String output = Files.readString(log);
        assertThat(exit).as("%s: %s", List.of(command), output).isZero();
        return output;
    }

    @Test
    void operatorImageAndAgentImageMakeAWorkDiskReady(RealApiServer api) throws Exception {
        int operatorPort = freePort();
        int agentPort = freePort();
        List<HasMetadata> chart = HelmChartTest.render(
                "operator.replicas=1", "operator.metricsPort=" + operatorPort, "agent.metricsPort=" + agentPort);
        PodSpec operatorPod = chart.stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .findFirst()
                .orElseThrow()
                .getSpec()
                .getTemplate()
                .getSpec();
        PodSpec agentPod = chart.stream()
                .filter(DaemonSet.class::isInstance)
                .map(DaemonSet.class::cast)
                .findFirst()
                .orElseThrow()
                .getSpec()
                .getTemplate()
                .getSpec();
        String tag = operator.labels().get("org.opencontainers.image.version");
        assertThat(operatorPod.getContainers().get(0).getImage())
                .as("the chart pulls this image by default")
                .endsWith("/workdisk-operator:" + tag);
        assertThat(agentPod.getContainers().get(0).getImage()).endsWith("/workdisk-agent:" + tag);

        KubernetesClient kube = api.newClient("user");
        String node = "image-node";
        kube.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(node)
                        .endMetadata()
                        .build())
                .create();
        Path kubeconfig = Files.createDirectories(tmp.resolve("kubeconfig"));
        Files.writeString(kubeconfig.resolve("config"), selfContained(api.kubeconfigYaml()));
        Map<String, String> fields =
                Map.of("metadata.name", "workdisk-operator-0", "metadata.namespace", NAMESPACE, "spec.nodeName", node);
        Path dataRoot = Files.createDirectories(tmp.resolve("host/var/lib/workdisk"));
        Path imageDir = Files.createDirectories(tmp.resolve("host/var/lib/workdisk-images"));

        var agentSpec = agentPod.getContainers().get(0);
        assertThat(agentSpec.getSecurityContext().getPrivileged()).isTrue();
        // the CSI halves the chart starts: their socket directories (emptyDirs in the pod, world-writable
        // like one) and the kubelet's directory the node service publishes into
        Path agentCsi = Files.createDirectories(tmp.resolve("host/agent-csi"));
        Path kubeletDir = Files.createDirectories(tmp.resolve("host/var/lib/kubelet"));
        Path operatorCsi = Files.createDirectories(tmp.resolve("host/operator-csi"));
        Path operatorTmp = Files.createDirectories(tmp.resolve("host/operator-tmp"));
        for (Path emptyDir : List.of(operatorCsi, operatorTmp)) {
            Files.setPosixFilePermissions(emptyDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Container agentContainer = agent.container(tmp.resolve("agent"))
                .args(agentSpec.getArgs())
                .privileged()
                .mount(dataRoot, "/var/lib/workdisk", false)
                .mount(imageDir, "/var/lib/workdisk-images", true)
                .mount(agentCsi, "/csi", false)
                .mount(kubeletDir, "/var/lib/kubelet", false);
        var operatorSpec = operatorPod.getContainers().get(0);
        assertThat(operatorSpec.getSecurityContext().getReadOnlyRootFilesystem())
                .isTrue();
        assertThat(operatorSpec.getSecurityContext().getCapabilities().getDrop())
                .containsExactly("ALL");
        Container operatorContainer = operator.container(tmp.resolve("operator"))
                .args(operatorSpec.getArgs())
                .readOnlyRoot()
                .dropAllCapabilities()
                .mount(operatorCsi, "/csi", false)
                .mount(operatorTmp, "/tmp", false);
        assertThat(operatorContainer.user())
                .as("the image's own user, not the pod's runAsUser")
                .isEqualTo("65532:65532");
        for (var pair : List.of(
                Map.entry(agentContainer, agentSpec.getEnv()), Map.entry(operatorContainer, operatorSpec.getEnv()))) {
            for (EnvVar e : pair.getValue()) {
                pair.getKey()
                        .env(
                                e.getName(),
                                e.getValue() != null
                                        ? e.getValue()
                                        : Objects.requireNonNull(
                                                fields.get(e.getValueFrom()
                                                        .getFieldRef()
                                                        .getFieldPath()),
                                                e.toString()));
            }
            pair.getKey().mount(kubeconfig, "/etc/workdisk-test", true).env("KUBECONFIG", "/etc/workdisk-test/config");
        }

        try (Container a = agentContainer.start(tmp.resolve("agent.log"));
                Container o = operatorContainer.start(tmp.resolve("operator.log"))) {
            ready(agentPort, a, "agent.log");
            ready(operatorPort, o, "operator.log");
            // each starts its CSI half once it is up
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(agentCsi.resolve("csi.sock"))
                        .as("the agent image serves the CSI node service")
                        .exists();
                assertThat(operatorCsi.resolve("controller.sock"))
                        .as("the operator image serves the CSI controller service\n%s", logs())
                        .exists();
            });
            kube.resource(Manifests.disk("from-images", "1Gi")).create();
            WorkDisk disk;
            try {
                disk = Waits.phase(kube, "from-images", DiskPhase.Ready);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + logs(), e);
            }
            assertThat(disk.getStatus().nodeName()).isEqualTo(node);
            String path = disk.getStatus().path();
            assertThat(path).startsWith("/var/lib/workdisk/");
            assertThat(dataRoot.resolve(Path.of("/var/lib/workdisk").relativize(Path.of(path))))
                    .isRegularFile();
            agentCommand(dataRoot, "/sbin/e2fsck", "-f", "-n", path.replace("/var/lib/workdisk/", "/data/"));
        }
    }

    /** Waits as a readiness probe would: GET /readyz on the metrics port answers 200. */
    private void ready(int port, Container container, String log) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2))
                .build();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    assertThat(container.isRunning())
                            .as("%s exited:\n%s", log, logs())
                            .isTrue();
                    int status;
                    try {
                        status = http.send(get, HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                    } catch (IOException notListening) {
                        status = -1;
                    }
                    assertThat(status).as("GET /readyz on %d", port).isEqualTo(200);
                });
    }

    private String logs() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String log : List.of("agent.log", "operator.log")) {
            Path p = tmp.resolve(log);
            if (Files.exists(p)) {
                List<String> lines = Files.readAllLines(p);
                out.append("== ").append(log).append('\n');
                lines.subList(Math.max(0, lines.size() - 30), lines.size())
                        .forEach(l -> out.append(l).append('\n'));
            }
        }
        return out.toString();
    }

    /**
     * The kubeconfig with the certificate and key files it names inlined (as {@code *-data}): the files are
     * not in the containers, and the operator's user could not read the key file if they were.
     */
    static String selfContained(String kubeconfig) throws IOException {
        Matcher m = Pattern.compile(
                        "(?m)^(\\s*)(certificate-authority|client-certificate|client-key): *\"?([^\"\\n]+)\"?$")
                .matcher(kubeconfig);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String data = java.util.Base64.getEncoder()
                    .encodeToString(Files.readAllBytes(Path.of(m.group(3).strip())));
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + "-data: " + data));
        }
        m.appendTail(out);
        return out.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.JavaProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * workdisk as it runs in a cluster: the operator and one agent per simulated node, each a JVM of its own
 * with its own data root, talking to the real API server only through a kubeconfig. Any of them can be
 * killed with SIGKILL and started again, as a crashed pod is restarted.
 */
final class ProcessCluster implements AutoCloseable {
    static final String NAMESPACE = "workdisk-system";

    /** An agent's node; {@code agentArgs}: more options for its {@code agent run}. */
    record Node(String name, Path dataRoot, List<Path> imageDirs, int concurrency, List<String> agentArgs) {
        Node(String name, Path dataRoot, List<Path> imageDirs, int concurrency) {
            this(name, dataRoot, imageDirs, concurrency, List.of());
        }

        /** The agent reports every step Running before it starts it, so a test can see each step begin. */
        Node reportingEveryStepRunning() {
            return new Node(name, dataRoot, imageDirs, concurrency, List.of("--report-running-after", "0"));
        }
    }

    private final RealApiServer api;
    private final KubernetesClient kube;
    private final Path dir;
    private final Path kubeconfig;
    private final List<String> operatorJvm;
    private final List<String> agentJvm;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, JavaProcess> agents = new LinkedHashMap<>();
    private final List<String> operatorArgs = new ArrayList<>();
    private final List<JavaProcess> started = new ArrayList<>();
    private JavaProcess operator;
    private int starts;
    /** The tests' heartbeat, so that they see an agent stop within seconds; none: the agent's own default. */
    private List<String> heartbeat = List.of("--heartbeat", "1");

    /**
     * The processes reach the API through {@code processKubeconfig} (the server itself, or something in
     * between such as {@link ApiFaults}); each process's requests carry the User-Agent workdisk-operator
     * or workdisk-agent.
     */
    ProcessCluster(
            Path dir, RealApiServer api, String processKubeconfig, List<String> operatorJvm, List<String> agentJvm)
            throws IOException {
        this.dir = Files.createDirectories(dir);
        this.api = api;
        this.kube = api.newClient("user");
        this.operatorJvm = operatorJvm;
        this.agentJvm = agentJvm;
        api.ensureNamespace(NAMESPACE);
        this.kubeconfig = Files.writeString(dir.resolve("kubeconfig"), processKubeconfig);
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("WORKDISK_LOG_LEVEL", "INFO");
    }

    /** JVMs tuned to start fast, for tests that restart processes often. */
    static final List<String> QUICK_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    ProcessCluster(Path dir, RealApiServer api) throws IOException {
        this(dir, api, api.kubeconfigYaml(), QUICK_JVM, QUICK_JVM);
    }

    /** The client a user would have; its requests carry the User-Agent workdisk-user. */
    KubernetesClient client() {
        return kube;
    }

    RealApiServer api() {
        return api;
    }

    /** An environment variable for every process started from now on. */
    ProcessCluster withEnv(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The agents started from now on write their node records as often as the chart's do: their own default. */
    ProcessCluster withTheAgentsOwnHeartbeat() {
        this.heartbeat = List.of();
        return this;
    }

    /** Registers the node and starts its agent. */
    JavaProcess addNode(Node node) throws IOException {
        kube.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(node.name())
                        .endMetadata()
                        .build())
                .create();
        nodes.put(node.name(), node);
        return startAgent(node.name());
    }

    /** Starts the agent of a node whose Node object is made elsewhere (by its kubelet, say). */
    JavaProcess addAgent(Node node) throws IOException {
        nodes.put(node.name(), node);
        return startAgent(node.name());
    }

    JavaProcess startAgent(String name) throws IOException {
        Node node = nodes.get(name);
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--node",
                name,
                "--root",
                node.dataRoot().toString(),
                "--concurrency",
                Integer.toString(node.concurrency()),
                "--metrics-port",
                "-1"));
        args.addAll(heartbeat);
        for (Path images : node.imageDirs()) {
            args.addAll(List.of("--image-dir", images.toString()));
        }
        args.addAll(node.agentArgs());
        JavaProcess agent = JavaProcess.startMain(
                "io.workdisk.agent.cli.AgentCli",
                List.of("-Dkubernetes.user.agent=workdisk-agent"),
                agentJvm,
                env,
                log(name),
                args.toArray(String[]::new));
        agents.put(name, agent);
        started.add(agent);
        return agent;
    }

    JavaProcess agent(String name) {
        return agents.get(name);
    }

    /** The agents running now. */
    Collection<JavaProcess> agents() {
        return agents.values();
    }

    /** The agents and the operator running now: every JVM of the cluster. */
    List<JavaProcess> jvms() {
        List<JavaProcess> jvms = new ArrayList<>(agents.values());
        if (operator != null) {
            jvms.add(operator);
        }
        return jvms;
    }

    /** The largest peak resident memory (VmHWM) of the agents, in KiB; -1 with none. */
    long largestAgentPeakKiB() {
        return agents.values().stream()
                .mapToLong(JavaProcess::peakResidentKiB)
                .max()
                .orElse(-1);
    }

    void killAgent(String name) throws InterruptedException {
        agents.remove(name).killHard();
    }

    /** The operator with {@code args} (kept for restarts) after the defaults. */
    JavaProcess startOperator(String... args) throws IOException {
        if (args.length > 0) {
            operatorArgs.clear();
            operatorArgs.addAll(List.of(args));
        }
        List<String> all = new ArrayList<>(List.of("--namespace", NAMESPACE, "--metrics-port", "-1"));
        all.addAll(operatorArgs);
        operator = JavaProcess.startMain(
                "io.workdisk.operator.OperatorCommand",
                List.of("-Dkubernetes.user.agent=workdisk-operator"),
                operatorJvm,
                env,
                log("operator"),
                all.toArray(String[]::new));
        started.add(operator);
        return operator;
    }

    JavaProcess operator() {
        return operator;
    }

    void killOperator() throws InterruptedException {
        operator.killHard();
        operator = null;
    }

    /** Each start logs to a file of its own, so a restarted process does not hide why the last one ended. */
    private Path log(String component) {
        return dir.resolve(component + "-" + (++starts) + ".log");
    }

    /** The last lines of every log, for a failed assertion to show. */
    String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(p);
                out.append("== ").append(p.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 15), lines.size())
                        .forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append(e);
        }
        return out.toString();
    }

    /** Published images in the disks directories of these data roots. */
    static long diskImages(Path... dataRoots) throws IOException {
        long n = 0;
        for (Path root : dataRoots) {
            try (var files = Files.list(root.resolve("disks"))) {
                n += files.map(f -> f.getFileName().toString())
                        .filter(f -> f.endsWith(".ext4") && !f.startsWith("."))
                        .count();
            }
        }
        return n;
    }

    /**
     * Files in the disks and seeds directories that are neither published images nor resize locks (a grown
     * disk keeps its empty lock file: removing a lock another process may hold would be unsafe): staging,
     * undo, partial files.
     */
    static List<String> leftovers(Path... dataRoots) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path root : dataRoots) {
            for (String dir : List.of("disks", "seeds")) {
                try (var files = Files.list(root.resolve(dir))) {
                    files.map(f -> f.getFileName().toString())
                            .filter(f -> !(f.endsWith(".ext4") && !f.startsWith("."))
                                    && !f.matches("\\.workdisk-resize-[0-9a-f]{16}\\.lock"))
                            .forEach(f ->
                                    out.add(root.relativize(root.resolve(dir).resolve(f))
                                            .toString()));
                }
            }
        }
        return out;
    }

    /**
     * Kills every process this cluster ever started, whatever the test did with them: one left running
     * would go on working against the shared API server in the next test.
     */
    @Override
    public void close() throws InterruptedException {
        try {
            for (JavaProcess p : started) {
                p.killHard();
            }
        } finally {
            kube.close();
        }
    }
}

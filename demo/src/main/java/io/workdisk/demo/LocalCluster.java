package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole workdisk installation in one process on a Kubernetes API it is given: the operator, and one real
 * agent per simulated node, each with its own data root and its own API client. Agents and the operator
 * can be stopped and started again, as pods would be.
 */
public final class LocalCluster implements AutoCloseable {
    private final ClusterApi api;
    private final KubernetesClient admin;
    private final Clock clock;
    private final WorkdiskOperator.Settings operatorSettings;
    private final Map<String, Running> agents = new LinkedHashMap<>();
    private WorkdiskOperator operator;
    private KubernetesClient operatorClient;

    private record Running(NodeAgent agent, KubernetesClient client, NodeAgent.Settings settings) {}

    public LocalCluster(ClusterApi api, WorkdiskOperator.Settings operatorSettings, Clock clock) {
        this.api = api;
        this.admin = api.newClient("user");
        if (admin.namespaces().withName(operatorSettings.namespace()).get() == null) {
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(operatorSettings.namespace())
                            .endMetadata()
                            .build())
                    .create();
        }
        this.clock = clock;
        this.operatorSettings = operatorSettings;
    }

    /** The client a user (kubectl) would have. */
    public KubernetesClient client() {
        return admin;
    }

    public void startOperator() {
        KubernetesClient client = api.newOperatorClient();
        operator = start(client, operatorSettings);
        operatorClient = client;
    }

    /** Another operator replica with its own client and settings (e.g. leader election); close it to stop it. */
    public AutoCloseable startOperatorReplica(WorkdiskOperator.Settings settings) {
        return startOperatorReplica(settings, api.newOperatorClient());
    }

    /**
     * Another operator replica on {@code client} (one whose requests a test can tell apart, say), which it
     * closes when it stops.
     */
    public AutoCloseable startOperatorReplica(WorkdiskOperator.Settings settings, KubernetesClient client) {
        WorkdiskOperator replica = start(client, settings);
        return () -> {
            replica.close();
            client.close();
        };
    }

    /** An operator that fails to start (it may not take the Lease, say) leaves no client open. */
    private WorkdiskOperator start(KubernetesClient client, WorkdiskOperator.Settings settings) {
        try {
            return WorkdiskOperator.start(client, settings, clock);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    public int operatorMetricsPort() {
        return operator == null ? -1 : operator.metricsPort();
    }

    public void stopOperator() {
        if (operator != null) {
            operator.close();
            operatorClient.close();
            operator = null;
        }
    }

    /** Registers the node (with labels) and starts its agent. */
    public NodeAgent addNode(
            String name, Map<String, String> labels, Path dataRoot, List<Path> imageDirs, Long capacity)
            throws EngineException {
        registerNode(name, labels);
        return startAgent(new NodeAgent.Settings(name, dataRoot, imageDirs, capacity, 2, Duration.ofSeconds(2)));
    }

    /** Registers the node (with labels) and starts its agent, which builds seeds from images with {@code images}. */
    public NodeAgent addNode(String name, Map<String, String> labels, Path dataRoot, ImageSeeds images)
            throws EngineException {
        registerNode(name, labels);
        return startAgent(new NodeAgent.Settings(name, dataRoot, List.of(), null, 2, Duration.ofSeconds(2)), images);
    }

    private void registerNode(String name, Map<String, String> labels) {
        if (admin.nodes().withName(name).get() == null) {
            admin.nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withLabels(labels)
                            .endMetadata()
                            .build())
                    .create();
        }
    }

    public NodeAgent startAgent(NodeAgent.Settings settings) throws EngineException {
        return startAgent(settings, E2fsTools.fromEnvironment());
    }

    /** An agent that finds its tools only where {@code tools} looks (to simulate a node without e2fsprogs). */
    public NodeAgent startAgent(NodeAgent.Settings settings, E2fsTools tools) throws EngineException {
        return startAgent(settings, tools, clock);
    }

    /** An agent with a clock of its own (to simulate a node whose clock is off). */
    public NodeAgent startAgent(NodeAgent.Settings settings, E2fsTools tools, Clock agentClock) throws EngineException {
        return startAgent(
                settings,
                tools,
                agentClock,
                ImageSeeds.fromRegistries(
                        ImageSeeds.RegistryAccess.none(), ImageSeeds.DEFAULT_CACHE_BYTES, agentClock));
    }

    /** An agent that builds seeds from container images with {@code images}. */
    public NodeAgent startAgent(NodeAgent.Settings settings, ImageSeeds images) throws EngineException {
        return startAgent(settings, E2fsTools.fromEnvironment(), clock, ImageSeeds.fixed(images));
    }

    private NodeAgent startAgent(
            NodeAgent.Settings settings, E2fsTools tools, Clock agentClock, ImageSeeds.Maker images)
            throws EngineException {
        KubernetesClient client = api.newAgentClient(settings.nodeName());
        NodeAgent agent;
        try {
            agent = NodeAgent.start(client, settings, tools, agentClock, images);
        } catch (EngineException | RuntimeException e) {
            client.close();
            throw e;
        }
        agents.put(settings.nodeName(), new Running(agent, client, settings));
        return agent;
    }

    public NodeAgent.Settings stopAgent(String name) {
        Running r = agents.remove(name);
        r.agent().close();
        r.client().close();
        return r.settings();
    }

    public String apiUrl() {
        return api.url();
    }

    @Override
    public void close() {
        stopOperator();
        for (String name : List.copyOf(agents.keySet())) {
            stopAgent(name);
        }
        admin.close();
    }
}

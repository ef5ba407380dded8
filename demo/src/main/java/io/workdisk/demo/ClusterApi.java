package io.workdisk.demo;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A Kubernetes API that a {@link LocalCluster} runs against: the demo's embedded one, or a real API server
 * in tests. Whoever started it stops it.
 *
 * <p>Each component asks for its own client. By default all of them have the same credentials; an API
 * that knows better (a real server with the chart's ServiceAccounts, say) gives the operator and each
 * node's agent the identity they would have on a cluster.
 */
public interface ClusterApi {
    /** A client of its own with a user's rights, whose requests carry {@code workdisk-<component>} as their User-Agent. */
    KubernetesClient newClient(String component);

    /** The client an operator replica runs with. */
    default KubernetesClient newOperatorClient() {
        return newClient("operator");
    }

    /** The client the agent of node {@code nodeName} runs with: on a cluster, its credentials name that node. */
    default KubernetesClient newAgentClient(String nodeName) {
        return newClient("agent");
    }

    /** Where the API is, for people to point kubectl at. */
    String url();
}

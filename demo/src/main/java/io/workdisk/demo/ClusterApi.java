package io.workdisk.demo;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A Kubernetes API that a {@link LocalCluster} runs against: the demo's embedded one, or a real API server
 * in tests. Whoever started it stops it.
 */
public interface ClusterApi {
    /** A client of its own whose requests carry {@code workdisk-<component>} as their User-Agent. */
    KubernetesClient newClient(String component);

    /** Where the API is, for people to point kubectl at. */
    String url();
}

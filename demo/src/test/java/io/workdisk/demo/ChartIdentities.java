package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.ArrayList;
import java.util.List;

/**
 * The real API server as the chart's ServiceAccounts see it: the operator and each node's agent get a
 * client with a TokenRequest token of their own ServiceAccount, as the kubelet would hand them in their
 * pods. An agent's token is bound to a Pod scheduled on its Node object, so the server adds the
 * {@code authentication.kubernetes.io/node-name} claim the admission policy reads. Anything else (a user,
 * kubectl) gets the administrator's client.
 *
 * <p>With rivals, each component meets {@link RivalWrites}: its first write of each object conflicts with
 * someone else's, as on a busy cluster, so its re-reads run too.
 */
final class ChartIdentities implements ClusterApi, AutoCloseable {
    private static final long TOKEN_SECONDS = 3600;

    private final RealApiServer api;
    private final ChartRbac chart;
    private final boolean rivals;
    private final KubernetesClient admin;
    private final List<KubernetesClient> otherCopies = new ArrayList<>();

    ChartIdentities(RealApiServer api, ChartRbac chart, boolean rivals) {
        this.api = api;
        this.chart = chart;
        this.rivals = rivals;
        this.admin = api.newClient("user");
    }

    @Override
    public KubernetesClient newClient(String component) {
        return api.newClient(component);
    }

    @Override
    public KubernetesClient newOperatorClient() {
        return api.newClientWithToken(
                "operator",
                operatorToken(),
                rivals ? new Interceptor[] {RivalWrites.beforeFinalizerPatches(admin)} : new Interceptor[0]);
    }

    @Override
    public KubernetesClient newAgentClient(String nodeName) {
        if (!rivals) {
            return api.newClientWithToken("agent", agentToken(nodeName));
        }
        KubernetesClient otherCopy = api.newClientWithToken("agent-other-copy", agentToken(nodeName));
        synchronized (otherCopies) {
            otherCopies.add(otherCopy);
        }
        return api.newClientWithToken(
                "agent", agentToken(nodeName), RivalWrites.beforeTaskStatusWrites(admin, otherCopy));
    }

    @Override
    public String url() {
        return api.url();
    }

    String operatorToken() {
        return token(
                chart.operatorAccount(),
                new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(TOKEN_SECONDS)
                        .endSpec()
                        .build());
    }

    /** A token of the agent's ServiceAccount bound to the agent's Pod on {@code nodeName} (both made if missing). */
    String agentToken(String nodeName) {
        if (admin.nodes().withName(nodeName).get() == null) {
            admin.nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName(nodeName)
                            .endMetadata()
                            .build())
                    .create();
        }
        Pod pod = agentPod(nodeName);
        return token(
                chart.agentAccount(),
                new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(TOKEN_SECONDS)
                        .withNewBoundObjectRef()
                        .withApiVersion("v1")
                        .withKind("Pod")
                        .withName(pod.getMetadata().getName())
                        .withUid(pod.getMetadata().getUid())
                        .endBoundObjectRef()
                        .endSpec()
                        .build());
    }

    /** The DaemonSet's pod on that node, as the scheduler would have placed it (it never runs: no kubelet). */
    private Pod agentPod(String nodeName) {
        String name = chart.agentAccount() + "-" + nodeName;
        Pod existing =
                admin.pods().inNamespace(ChartRbac.NAMESPACE).withName(name).get();
        if (existing != null) {
            return existing;
        }
        return admin.pods()
                .inNamespace(ChartRbac.NAMESPACE)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ChartRbac.NAMESPACE)
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName(nodeName)
                        .withServiceAccountName(chart.agentAccount())
                        .addNewContainer()
                        .withName("agent")
                        .withImage("workdisk-agent")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
    }

    private String token(String account, TokenRequest request) {
        return admin.serviceAccounts()
                .inNamespace(ChartRbac.NAMESPACE)
                .withName(account)
                .tokenRequest(request)
                .getStatus()
                .getToken();
    }

    @Override
    public void close() {
        synchronized (otherCopies) {
            otherCopies.forEach(KubernetesClient::close);
        }
        admin.close();
    }
}

package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver (v1.32) with etcd, started by Fabric8 kube-api-test and given workdisk's CRDs: it
 * enforces the schema, CEL rules, RBAC, admission policies and server-side apply that the product meets
 * on a cluster. No kubelet, scheduler or controller-manager runs: Pods never start, owner references are
 * not garbage-collected and namespaces are never finalized. It writes an audit log of every request
 * (user, user agent, verb, resource, response code) that tests read to count and attribute requests.
 *
 * <p>Offline (CI), kube-api-test finds its binaries through KUBE_API_TEST_DIR and
 * KUBE_API_TEST_OFFLINE_MODE (see .ci/run); online it downloads them itself.
 */
final class RealApiServer implements ClusterApi, AutoCloseable {
    /** The version the suite runs on unless KUBE_API_TEST_API_SERVER_VERSION says otherwise. */
    static final String VERSION = "1.32.*";

    private final KubeAPIServer server;
    private final String kubeconfigYaml;
    private final Config adminConfig;
    private final AuditLog audit;
    private final KubernetesClient admin;

    private RealApiServer(KubeAPIServer server, AuditLog audit) {
        this.server = server;
        this.kubeconfigYaml = server.getKubeConfigYaml();
        this.adminConfig = Config.fromKubeconfig(kubeconfigYaml);
        this.audit = audit;
        this.admin = newClient("user");
    }

    static RealApiServer start(Path dir) {
        try {
            Files.createDirectories(dir);
            Path policy = Files.writeString(dir.resolve("audit-policy.yaml"), """
                    apiVersion: audit.k8s.io/v1
                    kind: Policy
                    omitStages: [RequestReceived]
                    rules:
                      - level: Metadata
                    """);
            Path auditLog = dir.resolve("audit.log");
            Files.deleteIfExists(auditLog);
            KubeAPIServerConfigBuilder config = KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withUpdateKubeConfig(false)
                    .withApiServerFlag("--audit-policy-file", policy.toString())
                    .withApiServerFlag("--audit-log-path", auditLog.toString())
                    .withApiServerFlag("--audit-log-format", "json")
                    .withApiServerFlag("--audit-log-mode", "blocking")
                    // A watch without a resourceVersion (tests' own watches) asks for a watch list, which needs
                    // etcd's RequestWatchProgress: etcd 3.4 (Debian's) lacks it and the server answers 500.
                    // Informers (the product) list, then watch from a version, and are unaffected either way.
                    .withApiServerFlag("--feature-gates", "WatchList=false");
            // kube-api-test 7.5.2 fails casting the variable's text to a Boolean: it is read here instead
            config.withOfflineMode(
                    Boolean.parseBoolean(System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_OFFLINE_MODE)));
            if (System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_API_SERVER_VERSION) == null) {
                config.withApiServerVersion(VERSION);
            }
            KubeAPIServer server = new KubeAPIServer(config.build());
            server.start();
            RealApiServer api = new RealApiServer(server, new AuditLog(auditLog));
            api.installCrds();
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void installCrds() {
        for (CustomResourceDefinition crd : Crds.all()) {
            admin.resource(crd).create();
            admin.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .waitUntilCondition(
                            c -> c.getStatus() != null
                                    && c.getStatus().getConditions() != null
                                    && c.getStatus().getConditions().stream()
                                            .anyMatch(x -> x.getType().equals("Established")
                                                    && x.getStatus().equals("True")),
                            30,
                            TimeUnit.SECONDS);
        }
    }

    /** A client with the server's administrator credentials (system:masters). */
    @Override
    public KubernetesClient newClient(String component) {
        Config config = Config.fromKubeconfig(kubeconfigYaml);
        config.setUserAgent("workdisk-" + component);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * A client that authenticates with a bearer token (a ServiceAccount's) instead of the admin's
     * certificate; {@code interceptors} see each of its requests before it goes out.
     */
    KubernetesClient newClientWithToken(String component, String token, Interceptor... interceptors) {
        Config config = Config.fromKubeconfig(kubeconfigYaml);
        config.setUserAgent("workdisk-" + component);
        config.setClientCertData(null);
        config.setClientKeyData(null);
        config.setClientCertFile(null);
        config.setClientKeyFile(null);
        config.setOauthToken(token);
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientBuilderConsumer(b -> {
                    for (Interceptor i : interceptors) {
                        b.addOrReplaceInterceptor(i.getClass().getName() + "@" + System.identityHashCode(i), i);
                    }
                })
                .build();
    }

    @Override
    public String url() {
        return adminConfig.getMasterUrl();
    }

    /** The administrator's kubeconfig, for processes and kubectl. */
    String kubeconfigYaml() {
        return kubeconfigYaml;
    }

    /**
     * A kubeconfig that authenticates with a bearer token (a ServiceAccount's) instead of the admin's
     * certificate, for processes that run under that identity (the CSI sidecars in the operator's pod).
     */
    String kubeconfigYamlWithToken(String token) {
        io.fabric8.kubernetes.api.model.Config config =
                Serialization.unmarshal(kubeconfigYaml, io.fabric8.kubernetes.api.model.Config.class);
        config.getUsers()
                .forEach(u -> u.setUser(new io.fabric8.kubernetes.api.model.AuthInfoBuilder()
                        .withToken(token)
                        .build()));
        return Serialization.asYaml(config);
    }

    /** Writes the administrator's kubeconfig to {@code file}. */
    Path writeKubeconfig(Path file) throws IOException {
        return Files.writeString(file, kubeconfigYaml);
    }

    /** Every request the server has answered, as its audit log records them. */
    AuditLog audit() {
        return audit;
    }

    /**
     * Removes what earlier tests left, so the next one starts on an empty cluster: workdisk's objects
     * (finalizers dropped: no operator may be running now), Nodes, Events, Leases, admission policies and
     * the ServiceAccounts, Pods and RBAC objects tests created. Namespaces are kept: without a
     * controller-manager a deleted namespace would stay Terminating forever.
     */
    void reset() {
        clearWorkloads();
        KubernetesClient kube = admin;
        kube.nodes().withGracePeriod(0).delete();
        kube.admissionRegistration().v1().validatingAdmissionPolicyBindings().delete();
        kube.admissionRegistration().v1().validatingAdmissionPolicies().delete();
        for (String ns : namespaces()) {
            kube.pods().inNamespace(ns).withGracePeriod(0).delete();
            if (!ns.startsWith("kube-")) {
                kube.serviceAccounts().inNamespace(ns).delete();
                kube.rbac().roles().inNamespace(ns).delete();
                kube.rbac().roleBindings().inNamespace(ns).delete();
            }
        }
        kube.rbac().clusterRoles().withLabel("app.kubernetes.io/name").delete();
        kube.rbac().clusterRoleBindings().withLabel("app.kubernetes.io/name").delete();
        clearVolumes();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> kube.pods().inAnyNamespace().list().getItems().isEmpty());
        ensureNamespace("workdisk-system");
    }

    /**
     * Removes what a run of the product leaves: workdisk's objects (finalizers dropped: no operator may be
     * running now), Events and Leases. Nodes, Pods, identities and admission policies stay.
     */
    void clearWorkloads() {
        KubernetesClient kube = admin;
        wipe(kube.resources(WorkDisk.class));
        wipe(kube.resources(WorkSeed.class));
        wipe(kube.resources(WorkTask.class));
        wipe(kube.resources(WorkNode.class));
        wipe(kube.persistentVolumeClaims());
        wipeVolumes(
                kube,
                kube.persistentVolumes()
                        .withLabel(ApiGroup.OWNER_KIND_LABEL, "WorkDisk")
                        .list()
                        .getItems());
        for (String ns : namespaces()) {
            kube.v1().events().inNamespace(ns).delete();
            kube.leases().inNamespace(ns).delete();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Waits.noneLeft(kube)
                        && kube.resources(WorkNode.class).list().getItems().isEmpty());
    }

    /**
     * Removes what the volume tests' upstream components leave (their processes stopped by now): claims and
     * volumes (finalizers dropped: no protection controller runs), classes, capacities, CSINodes and the driver.
     */
    private void clearVolumes() {
        KubernetesClient kube = admin;
        wipe(kube.persistentVolumeClaims());
        wipeVolumes(kube, kube.persistentVolumes().list().getItems());
        kube.storage().v1().storageClasses().delete();
        kube.storage().v1().csiStorageCapacities().inAnyNamespace().delete();
        kube.storage().v1().csiNodes().delete();
        kube.storage().v1().csiDrivers().delete();
    }

    private List<String> namespaces() {
        return admin.namespaces().list().getItems().stream()
                .map(n -> n.getMetadata().getName())
                .toList();
    }

    void ensureNamespace(String name) {
        if (admin.namespaces().withName(name).get() == null) {
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .build())
                    .create();
        }
    }

    /** These PVs (cluster-scoped), finalizers dropped. */
    private static void wipeVolumes(KubernetesClient kube, List<PersistentVolume> volumes) {
        for (var pv : volumes) {
            var named = kube.persistentVolumes().withName(pv.getMetadata().getName());
            try {
                if (pv.getMetadata().getFinalizers() != null
                        && !pv.getMetadata().getFinalizers().isEmpty()) {
                    named.edit(o -> {
                        o.getMetadata().setFinalizers(List.of());
                        return o;
                    });
                }
                named.withGracePeriod(0).delete();
            } catch (KubernetesClientException gone) {
                // deleted meanwhile
            }
        }
    }

    private static <T extends HasMetadata> void wipe(
            MixedOperation<T, ? extends KubernetesResourceList<T>, Resource<T>> kind) {
        for (T object : kind.inAnyNamespace().list().getItems()) {
            var named = object.getMetadata().getNamespace() == null
                    ? kind.withName(object.getMetadata().getName())
                    : kind.inNamespace(object.getMetadata().getNamespace())
                            .withName(object.getMetadata().getName());
            if (object.getMetadata().getFinalizers() != null
                    && !object.getMetadata().getFinalizers().isEmpty()) {
                try {
                    named.edit(o -> {
                        o.getMetadata().setFinalizers(List.of());
                        return o;
                    });
                } catch (KubernetesClientException gone) {
                    continue; // deleted meanwhile
                }
            }
            named.withGracePeriod(0).delete();
        }
    }

    @Override
    public void close() {
        admin.close();
        server.stop();
    }
}

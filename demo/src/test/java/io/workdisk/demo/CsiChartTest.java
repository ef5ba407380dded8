package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.Presentation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart installs the CSI driver workdisk.io: its CSIDriver and StorageClasses (accepted by a real API
 * server), the node service in the agent beside csi-node-driver-registrar, the controller service in the
 * operator beside csi-provisioner and csi-resizer, pinned; and with {@code csi.enabled=false} none of it.
 */
class CsiChartTest {
    /** The StorageClass parameters CreateVolume reads (operator/.../csi/VolumeRequest); any other it refuses. */
    static final Set<String> PARAMETERS = Set.of("seedRef", "preallocate", CsiDriver.PRESENTATION);

    @Test
    void theDriverIsDeclaredAsTheNodeAndControllerServicesServeIt() {
        List<HasMetadata> chart = HelmChartTest.render();
        CSIDriver driver = only(chart, CSIDriver.class);
        assertThat(driver.getMetadata().getName()).isEqualTo(CsiDriver.NAME);
        assertThat(driver.getSpec().getAttachRequired()).isFalse();
        assertThat(driver.getSpec().getPodInfoOnMount()).isTrue();
        assertThat(driver.getSpec().getStorageCapacity()).isTrue();
        assertThat(driver.getSpec().getVolumeLifecycleModes()).containsExactly("Persistent");

        List<StorageClass> classes = all(chart, StorageClass.class);
        assertThat(classes)
                .extracting(c -> c.getMetadata().getName())
                .containsExactly("workdisk", "workdisk-ubuntu-root");
        for (StorageClass c : classes) {
            assertThat(c.getProvisioner()).isEqualTo(CsiDriver.NAME);
            assertThat(c.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
            assertThat(c.getAllowVolumeExpansion()).isTrue();
            assertThat(c.getReclaimPolicy()).isEqualTo("Delete");
            assertThat(PARAMETERS)
                    .containsAll(
                            c.getParameters() == null
                                    ? Set.of()
                                    : c.getParameters().keySet());
        }
        assertThat(classes.get(0).getParameters()).isNullOrEmpty();
        assertThat(classes.get(1).getParameters()).isEqualTo(Map.of("seedRef", "ubuntu-root"));
    }

    @Test
    void theAgentServesTheNodeServiceWhereTheRegistrarTellsTheKubelet() {
        DaemonSet ds = only(HelmChartTest.render(), DaemonSet.class);
        var pod = ds.getSpec().getTemplate().getSpec();
        Container agent = container(pod.getContainers(), "agent");
        Container registrar = container(pod.getContainers(), "csi-node-driver-registrar");
        assertThat(registrar.getImage()).isEqualTo("registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.13.0");
        assertThat(agent.getArgs()).contains("--csi-socket=/csi/csi.sock", "--kubelet-dir=/var/lib/kubelet");
        assertThat(registrar.getArgs())
                .contains(
                        "--csi-address=/csi/csi.sock",
                        "--kubelet-registration-path=/var/lib/kubelet/plugins/workdisk.io/csi.sock");
        // the socket both see at /csi is the host's plugin directory, where the kubelet dials it
        assertThat(hostPathAt(pod.getVolumes(), agent, "/csi")).isEqualTo("/var/lib/kubelet/plugins/workdisk.io");
        assertThat(hostPathAt(pod.getVolumes(), registrar, "/csi")).isEqualTo("/var/lib/kubelet/plugins/workdisk.io");
        assertThat(hostPathAt(pod.getVolumes(), registrar, "/registration"))
                .isEqualTo("/var/lib/kubelet/plugins_registry");
        VolumeMount kubelet = mountAt(agent, "/var/lib/kubelet");
        assertThat(kubelet.getMountPropagation()).isEqualTo("Bidirectional");
        assertThat(hostPathAt(pod.getVolumes(), agent, "/var/lib/kubelet")).isEqualTo("/var/lib/kubelet");
        assertThat(hostPathAt(pod.getVolumes(), agent, "/dev")).isEqualTo("/dev");
        assertThat(agent.getSecurityContext().getPrivileged())
                .as("Bidirectional needs it")
                .isTrue();
        assertThat(registrar.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);

        DaemonSet moved = only(HelmChartTest.render("csi.kubeletDir=/var/lib/k0s/kubelet"), DaemonSet.class);
        var movedPod = moved.getSpec().getTemplate().getSpec();
        assertThat(container(movedPod.getContainers(), "agent").getArgs())
                .contains("--kubelet-dir=/var/lib/k0s/kubelet");
        assertThat(container(movedPod.getContainers(), "csi-node-driver-registrar")
                        .getArgs())
                .contains("--kubelet-registration-path=/var/lib/k0s/kubelet/plugins/workdisk.io/csi.sock");
    }

    @Test
    void theOperatorServesTheControllerServiceToItsSidecarsOnAPodSocket() {
        Deployment op = only(HelmChartTest.render(), Deployment.class);
        var pod = op.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers())
                .extracting(Container::getName)
                .containsExactly("operator", "csi-provisioner", "csi-resizer");
        Container operator = container(pod.getContainers(), "operator");
        Container provisioner = container(pod.getContainers(), "csi-provisioner");
        Container resizer = container(pod.getContainers(), "csi-resizer");
        assertThat(operator.getArgs()).contains("--csi-socket=/csi/controller.sock");
        assertThat(provisioner.getImage()).isEqualTo("registry.k8s.io/sig-storage/csi-provisioner:v5.2.0");
        assertThat(resizer.getImage()).isEqualTo("registry.k8s.io/sig-storage/csi-resizer:v1.13.2");
        assertThat(provisioner.getArgs())
                .contains(
                        "--csi-address=/csi/controller.sock",
                        "--feature-gates=Topology=true",
                        "--enable-capacity",
                        "--capacity-ownerref-level=2",
                        "--capacity-poll-interval=5s",
                        "--extra-create-metadata",
                        "--leader-election")
                .containsAll(ControlPlane.PROVISIONER_RATE); // what the tests run the provisioner with
        assertThat(provisioner.getEnv())
                .extracting(
                        e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .contains("POD_NAME=metadata.name", "NAMESPACE=metadata.namespace");
        assertThat(resizer.getArgs()).contains("--csi-address=/csi/controller.sock", "--leader-election");
        // one emptyDir, the same in all three, so the sidecars dial the operator of their own pod
        Volume socket = pod.getVolumes().stream()
                .filter(v -> v.getName().equals(mountAt(operator, "/csi").getName()))
                .findFirst()
                .orElseThrow();
        assertThat(socket.getEmptyDir()).isNotNull();
        for (Container sidecar : List.of(provisioner, resizer)) {
            assertThat(mountAt(sidecar, "/csi").getName()).isEqualTo(socket.getName());
            // slower than the controller's own 30 s wait for a disk, which it ends with ABORTED (ask again)
            assertThat(sidecar.getArgs()).contains("--timeout=45s");
            assertThat(sidecar.getSecurityContext().getAllowPrivilegeEscalation())
                    .isFalse();
            assertThat(sidecar.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        }
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    /** The install imports the workdisk images and sets pullPolicy Never: the sidecars are still pulled. */
    @Test
    void theSidecarsArePulledEvenWhenTheWorkdiskImagesAreImported() {
        List<HasMetadata> chart = HelmChartTest.render("image.pullPolicy=Never");
        List<Container> containers = Stream.concat(
                        only(chart, Deployment.class).getSpec().getTemplate().getSpec().getContainers().stream(),
                        only(chart, DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().stream())
                .toList();
        assertThat(containers)
                .extracting(c -> c.getName() + " " + c.getImagePullPolicy())
                .containsExactlyInAnyOrder(
                        "operator Never",
                        "csi-provisioner IfNotPresent",
                        "csi-resizer IfNotPresent",
                        "agent Never",
                        "csi-node-driver-registrar IfNotPresent");
    }

    /** Everything CSI goes with the switch; what stays is exactly the chart's RBAC less the CSI roles. */
    @Test
    void csiDisabledInstallsNoneOfIt() {
        List<HasMetadata> with = HelmChartTest.render();
        List<HasMetadata> without = HelmChartTest.render("csi.enabled=false");
        assertThat(without).extracting(HasMetadata::getKind).doesNotContain("CSIDriver", "StorageClass");
        Deployment op = only(without, Deployment.class);
        assertThat(op.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName)
                .containsExactly("operator");
        assertThat(op.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .noneMatch(a -> a.startsWith("--csi"));
        DaemonSet ds = only(without, DaemonSet.class);
        assertThat(ds.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName)
                .containsExactly("agent");
        assertThat(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .noneMatch(a -> a.startsWith("--csi") || a.startsWith("--kubelet-dir"));
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes())
                .extracting(v -> v.getHostPath().getPath())
                .noneMatch(p -> p.startsWith("/var/lib/kubelet") || p.equals("/dev"));
        assertThat(HelmChartTest.rbac(without))
                .isEqualTo(HelmChartTest.rbac(with.stream()
                        .filter(o -> !o.getMetadata().getName().endsWith("-csi"))
                        .toList()));
    }

    /**
     * The CSI roles are bound to the operator's ServiceAccount (the sidecars run in its pod), grant nothing on
     * Secrets or with wildcards, and nothing the operator's own roles grant already.
     */
    @Test
    void theCsiRolesAddOnlyWhatTheControllerAndSidecarsUse() {
        List<HasMetadata> chart = HelmChartTest.render();
        List<PolicyRule> csi = Stream.concat(
                        all(chart, ClusterRole.class).stream()
                                .filter(r -> r.getMetadata().getName().equals("wd-operator-csi"))
                                .flatMap(r -> r.getRules().stream()),
                        all(chart, Role.class).stream()
                                .filter(r -> r.getMetadata().getName().equals("wd-operator-csi"))
                                .flatMap(r -> r.getRules().stream()))
                .toList();
        assertThat(csi).isNotEmpty();
        assertThat(csi)
                .noneMatch(r -> r.getResources().contains("secrets")
                        || r.getResources().contains("*")
                        || r.getVerbs().contains("*")
                        || r.getApiGroups().contains("snapshot.storage.k8s.io"));
        List<String> operatorOwn = Stream.concat(
                        all(chart, ClusterRole.class).stream()
                                .filter(r -> r.getMetadata().getName().equals("wd-operator"))
                                .flatMap(r -> r.getRules().stream()),
                        all(chart, Role.class).stream()
                                .filter(r -> r.getMetadata().getName().equals("wd-operator-leader"))
                                .flatMap(r -> r.getRules().stream()))
                .flatMap(CsiChartTest::grants)
                .toList();
        assertThat(csi.stream().flatMap(CsiChartTest::grants))
                .as("granted twice to the same ServiceAccount")
                .doesNotContainAnyElementsOf(operatorOwn)
                .doesNotHaveDuplicates();
        assertThat(chart.stream()
                        .filter(o -> o.getMetadata().getName().equals("wd-operator-csi")
                                && o.getKind().endsWith("Binding"))
                        .map(o -> io.fabric8.kubernetes.client.utils.Serialization.asYaml(o)))
                .hasSize(2)
                .allMatch(y -> y.contains("name: \"wd-operator\"") || y.contains("name: wd-operator\n"));
    }

    @Test
    void theSchemaRefusesAParameterCreateVolumeWouldRefuse() {
        Requirements.need(HelmChartTest.helm.isPresent(), "helm on PATH or in .tools/helm (bash .ci/run fetches it)");
        for (String bad : List.of(
                "csi.storageClasses[0].name=fast,csi.storageClasses[0].parameters.size=8Gi",
                "csi.storageClasses[0].name=fast,csi.storageClasses[0].parameters.presentation=files",
                "csi.storageClasses[0].name=Fast",
                "csi.images.provisioner.tag=")) {
            Shell.Result r = Shell.run(List.of(
                    HelmChartTest.helm.get().toString(),
                    "template",
                    "wd",
                    HelmChartTest.CHART.toString(),
                    "--set",
                    bad));
            assertThat(r.exitCode()).as("--set %s is refused", bad).isNotZero();
            assertThat(r.stderr()).as(bad).contains("csi");
        }
        List<HasMetadata> good = HelmChartTest.render(
                "csi.storageClasses[0].name=fast",
                "csi.storageClasses[0].default=true",
                "csi.storageClasses[0].reclaimPolicy=Retain",
                "csi.storageClasses[0].parameters.preallocate=true",
                "csi.storageClasses[0].parameters.presentation=" + Presentation.MOUNTED.parameter());
        StorageClass fast = only(good, StorageClass.class);
        assertThat(fast.getMetadata().getAnnotations())
                .containsEntry("storageclass.kubernetes.io/is-default-class", "true");
        assertThat(fast.getReclaimPolicy()).isEqualTo("Retain");
        assertThat(fast.getParameters()).isEqualTo(Map.of("preallocate", "true", "presentation", "mounted"));
    }

    /**
     * The API server takes the CSIDriver and the StorageClasses as rendered (its validation, defaults and
     * immutable fields), and a PVC of the chart's class; applied and removed again, so the shared server is
     * left as found for InstallDocTest's helm install.
     */
    @Test
    @ExtendWith(SharedApiServer.class)
    void theApiServerAcceptsTheDriverAndTheStorageClasses(RealApiServer api) {
        List<HasMetadata> chart = HelmChartTest.render();
        CSIDriver driver = only(chart, CSIDriver.class);
        List<StorageClass> classes = all(chart, StorageClass.class);
        try (KubernetesClient kube = api.newClient("user")) {
            try {
                CSIDriver stored = kube.resource(driver).forceConflicts().serverSideApply();
                assertThat(stored.getSpec().getAttachRequired()).isFalse();
                assertThat(stored.getSpec().getPodInfoOnMount()).isTrue();
                assertThat(stored.getSpec().getStorageCapacity()).isTrue();
                assertThat(stored.getSpec().getFsGroupPolicy()).isEqualTo("File");
                assertThat(stored.getSpec().getVolumeLifecycleModes()).containsExactly("Persistent");
                for (StorageClass c : classes) {
                    StorageClass storedClass = kube.resource(c).forceConflicts().serverSideApply();
                    assertThat(storedClass.getProvisioner()).isEqualTo(CsiDriver.NAME);
                    assertThat(storedClass.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
                    assertThat(storedClass.getAllowVolumeExpansion()).isTrue();
                    assertThat(storedClass.getParameters()).isEqualTo(c.getParameters());
                }
                PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName("dev-vm")
                        .withNamespace("default")
                        .endMetadata()
                        .withNewSpec()
                        .withStorageClassName("workdisk")
                        .withAccessModes("ReadWriteOnce")
                        .withVolumeMode("Block")
                        .withNewResources()
                        .withRequests(Map.of("storage", new Quantity("8Gi")))
                        .endResources()
                        .endSpec()
                        .build();
                // a dry run: a stored claim would stay Terminating (no controller here takes its protection finalizer
                // off)
                PersistentVolumeClaim storedClaim =
                        kube.resource(claim).dryRun().create();
                assertThat(storedClaim.getSpec().getStorageClassName()).isEqualTo("workdisk");
            } finally {
                classes.forEach(c -> kube.resource(c).delete());
                kube.resource(driver).delete();
            }
        }
    }

    private static Stream<String> grants(PolicyRule rule) {
        return rule.getApiGroups().stream()
                .flatMap(g -> rule.getResources().stream()
                        .flatMap(r -> rule.getVerbs().stream().map(v -> g + "/" + r + ":" + v)));
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> chart, Class<T> kind) {
        return chart.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> chart, Class<T> kind) {
        List<T> found = all(chart, kind);
        assertThat(found).as("one %s", kind.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static Container container(List<Container> containers, String name) {
        return containers.stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    private static VolumeMount mountAt(Container container, String path) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " mounts nothing at " + path));
    }

    private static String hostPathAt(List<Volume> volumes, Container container, String path) {
        String name = mountAt(container, path).getName();
        return volumes.stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow()
                .getHostPath()
                .getPath();
    }
}

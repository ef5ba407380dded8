package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Claims of a StorageClass and the busybox pods that use them, on a real kubelet: a pod runs a shell script
 * against its volume, prints what it found, and then stays (so that its volume stays published) until deleted.
 */
final class VolumePods {
    /** The line a pod's script prints once every check in it passed. */
    static final String DONE = "checks done";

    /** Where a pod sees its volume: the device node of a Block claim, the directory of a Filesystem one. */
    static final String DEVICE = "/dev/workdisk";

    static final String DIRECTORY = "/disk";

    private final KubernetesClient kube;
    private final String namespace;
    private final KubeletNode node;

    VolumePods(KubernetesClient kube, String namespace, KubeletNode node) {
        this.kube = kube;
        this.namespace = namespace;
        this.node = node;
    }

    /** A claim of {@code size} from {@code storageClass}, Block or Filesystem, waiting for its first consumer. */
    PersistentVolumeClaim claim(String name, String storageClass, String size, boolean block) {
        return kube.resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewSpec()
                        .withStorageClassName(storageClass)
                        .withAccessModes("ReadWriteOnce")
                        .withVolumeMode(block ? "Block" : "Filesystem")
                        .withNewResources()
                        .withRequests(Map.of("storage", new Quantity(size)))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
    }

    /**
     * A pod on the kubelet's node (by node selector: the scheduler places it and picks the claim's node) running
     * {@code script} as {@code uid} (null: root) with {@code fsGroup} (null: none).
     */
    Pod run(String name, PersistentVolumeClaim claim, String script, Long uid, Long fsGroup) {
        return kube.resource(pod(name, claim, script, uid, fsGroup)
                        .editSpec()
                        .withNodeSelector(Map.of("kubernetes.io/hostname", node.name()))
                        .endSpec()
                        .build())
                .create();
    }

    /** The same pod, but bound to the kubelet's node by name, past the scheduler and its volume checks. */
    Pod runBoundTo(String name, PersistentVolumeClaim claim, String script) {
        return kube.resource(pod(name, claim, script, null, null)
                        .editSpec()
                        .withNodeName(node.name())
                        .endSpec()
                        .build())
                .create();
    }

    private PodBuilder pod(String name, PersistentVolumeClaim claim, String script, Long uid, Long fsGroup) {
        boolean block = "Block".equals(claim.getSpec().getVolumeMode());
        ContainerBuilder container = new ContainerBuilder()
                .withName("check")
                .withImage(node.busyboxImage())
                .withImagePullPolicy("Never")
                // the checks, then stay until deleted; TERM ends the wait at once
                .withCommand(
                        "sh",
                        "-c",
                        "set -e\n" + script + "\necho " + DONE + "\ntrap 'exit 0' TERM\n" + "sleep 3600 & wait");
        if (block) {
            container
                    .addNewVolumeDevice()
                    .withName("disk")
                    .withDevicePath(DEVICE)
                    .endVolumeDevice();
        } else {
            container
                    .addNewVolumeMount()
                    .withName("disk")
                    .withMountPath(DIRECTORY)
                    .endVolumeMount();
        }
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(2L)
                // no token volume: nothing here publishes the cluster's CA for it
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(new PodSecurityContextBuilder()
                        .withRunAsUser(uid)
                        .withRunAsGroup(uid)
                        .withFsGroup(fsGroup)
                        .build())
                .withContainers(container.build())
                .addNewVolume()
                .withName("disk")
                .withNewPersistentVolumeClaim()
                .withClaimName(claim.getMetadata().getName())
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec();
    }

    /**
     * What the pod's script printed, once it printed {@link #DONE}; a pod that failed or never got there fails
     * the test with its log, its status and the end of the kubelet's log.
     */
    String output(String pod) {
        try {
            return await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> log(pod), log -> log.contains(DONE) || failed(pod));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("pod " + pod + " did not finish its checks: " + describe(pod), e);
        }
    }

    /** Deletes the pod and waits until it is gone: the kubelet removes it only once its volumes are unpublished. */
    void delete(String pod) {
        kube.pods().inNamespace(namespace).withName(pod).delete();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kube.pods().inNamespace(namespace).withName(pod).get() == null);
    }

    String describe(String pod) {
        Pod p = kube.pods().inNamespace(namespace).withName(pod).get();
        String events = kube.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()))
                .map(e -> e.getReason() + ": " + e.getMessage())
                .reduce("", (a, b) -> a + "\n  " + b);
        return "\nlog: " + log(pod) + "\nstatus: " + (p == null ? "gone" : p.getStatus()) + "\nevents:" + events
                + "\nkubelet log (end):\n" + tail(node.kubeletLog(), 30);
    }

    private boolean failed(String pod) {
        Pod p = kube.pods().inNamespace(namespace).withName(pod).get();
        if (p != null && "Failed".equals(p.getStatus().getPhase())) {
            throw new AssertionError("pod " + pod + " failed its checks: " + describe(pod));
        }
        return false;
    }

    private String log(String pod) {
        try {
            return kube.pods().inNamespace(namespace).withName(pod).getLog();
        } catch (RuntimeException notYet) {
            return ""; // no container yet
        }
    }

    private static String tail(Path log, int lines) {
        try {
            var all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}

package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiDriver;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PVCs of the driver's StorageClasses and the Pods that use them, as a user writes them, and what the upstream
 * components make of them: the PV, its node affinity, the WorkDisk behind it, the Pod's scheduling condition.
 */
final class Claims {
    private Claims() {}

    /** A class as the chart makes it: the scheduler picks the node first, grows offline, reclaim Delete. */
    static StorageClass storageClass(String name, Map<String, String> parameters) {
        return new StorageClassBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withProvisioner(CsiDriver.NAME)
                .withVolumeBindingMode("WaitForFirstConsumer")
                .withAllowVolumeExpansion(true)
                .withReclaimPolicy("Delete")
                .withParameters(parameters)
                .build();
    }

    static PersistentVolumeClaim claim(String namespace, String name, String storageClass, String size) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withStorageClassName(storageClass)
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity(size)))
                .endResources()
                .endSpec()
                .build();
    }

    /** A Pod using the claim (never run: no kubelet here; scheduled is what counts). */
    static Pod podUsing(String namespace, String name, String claim) {
        return new PodBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("vm")
                .withImage("registry.example/vm-runner:1")
                .addNewVolumeMount()
                .withName("disk")
                .withMountPath("/disk")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("disk")
                .withNewPersistentVolumeClaim()
                .withClaimName(claim)
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build();
    }

    static PersistentVolumeClaim get(KubernetesClient kube, String namespace, String name) {
        return kube.persistentVolumeClaims()
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    static boolean bound(PersistentVolumeClaim claim) {
        return claim != null
                && claim.getStatus() != null
                && "Bound".equals(claim.getStatus().getPhase());
    }

    /** The nodes a PV may be used on, as its required node affinity names them. */
    static List<String> affinityNodes(PersistentVolume pv) {
        return pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().stream()
                .flatMap(t -> t.getMatchExpressions().stream())
                .filter(e -> e.getKey().equals(CsiDriver.TOPOLOGY_KEY))
                .flatMap(e -> e.getValues().stream())
                .toList();
    }

    /** The WorkDisk behind a bound claim: the PV's volume handle names it. */
    static Optional<WorkDisk> disk(KubernetesClient kube, PersistentVolumeClaim claim) {
        String pv = claim.getSpec().getVolumeName();
        if (pv == null || pv.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(kube.resources(WorkDisk.class)
                .inNamespace(claim.getMetadata().getNamespace())
                .withName(pv)
                .get());
    }

    static Optional<PodCondition> scheduled(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("PodScheduled"))
                .findFirst();
    }
}

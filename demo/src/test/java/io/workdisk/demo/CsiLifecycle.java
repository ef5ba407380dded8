package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.CSIStorageCapacity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiDriver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One PVC's life with the CSI driver, as a user drives it and the upstream components answer: a class of the
 * driver whose capacity the provisioner publishes per node, a claim and a pod that uses it (scheduled,
 * provisioned, Bound, the node's published room shrinking by the disk), the claim grown (the resizer's
 * ControllerExpandVolume, the claim's capacity following), the pod and claim deleted (DeleteVolume: the WorkDisk
 * and the PV gone), a claim of a class CreateVolume refuses (tried again and again: the provisioner's repeated events counted up) and the class
 * deleted (its capacity objects gone). Each wait ends early, with {@link Refused},
 * once {@code refused} says the server refused something; {@link #clear} leaves the cluster as it found it.
 */
final class CsiLifecycle {
    static final String NS = "default";
    static final String CLASS = "workdisk-least-privilege";
    static final String REFUSED_CLASS = "workdisk-least-privilege-refused";
    private static final long MIB = 1L << 20;
    private static final Duration STEP = Duration.ofSeconds(60);

    /** The lifecycle stopped: the server refused a request it needs. */
    static final class Refused extends RuntimeException {
        Refused(String step) {
            super("refused while waiting for " + step);
        }
    }

    private final KubernetesClient admin;
    private final List<String> nodes;
    private final long nodeRoom;
    private final BooleanSupplier refused;
    private final Supplier<String> logs;

    CsiLifecycle(
            KubernetesClient admin, List<String> nodes, long nodeRoom, BooleanSupplier refused, Supplier<String> logs) {
        this.admin = admin;
        this.nodes = nodes;
        this.nodeRoom = nodeRoom;
        this.refused = refused;
        this.logs = logs;
    }

    void run() {
        admin.resource(Claims.storageClass(CLASS, Map.of())).create();
        for (String node : nodes) {
            awaitThat("the room of " + node + " published for the class", () -> nodeRoom == publishedRoom(node));
        }
        admin.resource(Claims.claim(NS, "data", CLASS, "64Mi")).create();
        admin.resource(Claims.podUsing(NS, "vm", "data")).create();
        awaitThat("the claim Bound", () -> Claims.bound(Claims.get(admin, NS, "data")));
        PersistentVolumeClaim claim = Claims.get(admin, NS, "data");
        String node = claim.getMetadata().getAnnotations().get("volume.kubernetes.io/selected-node");
        awaitThat(
                "the room published for " + node + " less the disk", () -> nodeRoom - 64 * MIB == publishedRoom(node));

        admin.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("data")
                .edit(c -> new PersistentVolumeClaimBuilder(c)
                        .editSpec()
                        .editResources()
                        .addToRequests("storage", new Quantity("128Mi"))
                        .endResources()
                        .endSpec()
                        .build());
        awaitThat("the claim's capacity grown to 128Mi", () -> capacity("data") == 128 * MIB);

        admin.pods().inNamespace(NS).withName("vm").withGracePeriod(0).delete();
        admin.persistentVolumeClaims().inNamespace(NS).withName("data").delete();
        String volume = claim.getSpec().getVolumeName();
        awaitThat(
                "the PV and the WorkDisk gone",
                () -> admin.persistentVolumes().withName(volume).get() == null
                        && admin.resources(WorkDisk.class)
                                .inAnyNamespace()
                                .list()
                                .getItems()
                                .isEmpty());

        aClaimRefusedAgainAndAgain();

        admin.storage().v1().storageClasses().withName(CLASS).delete();
        awaitThat("the class's capacity objects gone", () -> capacities().isEmpty());
    }

    /**
     * A claim of a class whose parameters CreateVolume refuses: the provisioner tries again and again, and its
     * event recorder counts the repeated events up (an event patch) instead of writing new ones.
     */
    private void aClaimRefusedAgainAndAgain() {
        admin.resource(new StorageClassBuilder(Claims.storageClass(REFUSED_CLASS, Map.of("preallocate", "maybe")))
                        .withVolumeBindingMode("Immediate")
                        .build())
                .create();
        admin.resource(Claims.claim(NS, "refused", REFUSED_CLASS, "64Mi")).create();
        awaitThat(
                "the provisioner's event about the refused claim counted up",
                () -> admin.v1().events().inNamespace(NS).list().getItems().stream()
                        .anyMatch(e -> "refused".equals(e.getInvolvedObject().getName())
                                && List.of("Provisioning", "ProvisioningFailed").contains(e.getReason())
                                && e.getCount() != null
                                && e.getCount() >= 2));
        admin.persistentVolumeClaims().inNamespace(NS).withName("refused").delete();
        admin.storage().v1().storageClasses().withName(REFUSED_CLASS).delete();
        awaitThat(
                "the refused claim gone",
                () -> admin.persistentVolumeClaims()
                        .inNamespace(NS)
                        .list()
                        .getItems()
                        .isEmpty());
    }

    /** Takes away what a run stopped half way left; the operator (all its grants) finalizes the WorkDisks. */
    static void clear(KubernetesClient admin) {
        admin.pods().inNamespace(NS).withGracePeriod(0).delete();
        for (PersistentVolumeClaim c :
                admin.persistentVolumeClaims().inNamespace(NS).list().getItems()) {
            admin.resource(c).edit(e -> {
                e.getMetadata().setFinalizers(List.of());
                return e;
            });
            admin.resource(c).delete();
        }
        admin.resources(WorkDisk.class).inAnyNamespace().delete();
        await().atMost(STEP)
                .until(() -> admin.resources(WorkDisk.class)
                        .inAnyNamespace()
                        .list()
                        .getItems()
                        .isEmpty());
        for (var pv : admin.persistentVolumes().list().getItems()) {
            admin.resource(pv).edit(e -> {
                e.getMetadata().setFinalizers(List.of());
                return e;
            });
            admin.resource(pv).delete();
        }
        admin.storage().v1().storageClasses().withName(CLASS).delete();
        admin.storage().v1().storageClasses().withName(REFUSED_CLASS).delete();
        admin.storage().v1().csiStorageCapacities().inAnyNamespace().delete();
        admin.v1().events().inNamespace(NS).delete();
        await().atMost(STEP)
                .until(() -> admin.persistentVolumes().list().getItems().isEmpty()
                        && admin.persistentVolumeClaims()
                                .inNamespace(NS)
                                .list()
                                .getItems()
                                .isEmpty()
                        && admin.pods().inNamespace(NS).list().getItems().isEmpty());
    }

    private List<CSIStorageCapacity> capacities() {
        return admin.storage().v1().csiStorageCapacities().inAnyNamespace().list().getItems().stream()
                .filter(c -> CLASS.equals(c.getStorageClassName()))
                .toList();
    }

    private long publishedRoom(String node) {
        return capacities().stream()
                .filter(c -> c.getNodeTopology() != null
                        && c.getNodeTopology().getMatchLabels() != null
                        && node.equals(c.getNodeTopology().getMatchLabels().get(CsiDriver.TOPOLOGY_KEY)))
                .filter(c -> c.getCapacity() != null)
                .mapToLong(c -> Quantity.getAmountInBytes(c.getCapacity()).longValue())
                .findFirst()
                .orElse(-1);
    }

    private long capacity(String name) {
        var status = Claims.get(admin, NS, name).getStatus();
        if (status == null
                || status.getCapacity() == null
                || status.getCapacity().get("storage") == null) {
            return -1;
        }
        return Quantity.getAmountInBytes(status.getCapacity().get("storage")).longValue();
    }

    private void awaitThat(String step, Callable<Boolean> done) {
        try {
            await(step)
                    .atMost(STEP)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> refused.getAsBoolean() || done.call());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + logs.get(), e);
        }
        if (refused.getAsBoolean()) {
            throw new Refused(step);
        }
    }
}

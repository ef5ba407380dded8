package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.workdisk.DiskAnnotations;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.VolumeId;
import io.workdisk.operator.csi.OrphanVolumes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CSI controller's sweep of disks whose claim is gone, on the real API server with a clock of the test's:
 * it deletes exactly the disks CreateVolume made for a claim that no longer exists (or exists again under another
 * uid) and that no PV names, once older than the grace, and never a disk a claim or a PV still holds, one made
 * for no claim, or a user's own.
 */
@ExtendWith(SharedApiServer.class)
class OrphanVolumesTest {
    private static final String NS = "default";
    private static final Duration GRACE = Duration.ofSeconds(30);

    KubernetesClient kube;
    final List<HasMetadata> made = new ArrayList<>();

    @BeforeEach
    void client(RealApiServer api) {
        kube = api.newClient("orphan-volumes-test");
    }

    @AfterEach
    void remove() {
        for (HasMetadata object : made) {
            var named = kube.resource(object);
            if (named.get() != null) {
                named.edit(o -> {
                    o.getMetadata().setFinalizers(List.of()); // no protection controller runs here
                    return o;
                });
                named.withGracePeriod(0).delete();
            }
        }
        kube.close();
    }

    @Test
    void onlyADiskWhoseClaimIsGoneAndThatNoPvNamesIsTakenBack() {
        String orphan = csiDisk("pvc-" + UUID.randomUUID(), "gone");
        String namesake = csiDisk("pvc-" + UUID.randomUUID(), claim("again"));
        String claimed = csiDisk("pvc-" + claimUid(claim("kept")), "kept");
        String released = csiDisk("pvc-" + UUID.randomUUID(), "released");
        pvNaming(released);
        String noClaim = csiDisk("pvc-" + UUID.randomUUID(), "");
        WorkDisk own = kube.resource(Manifests.disk(NS, "users-own", WorkDiskSpec.ofSize("64Mi")))
                .create();
        made.add(own);

        // younger than the grace: the provisioner may be about to write its PV
        sweep(Instant.now());
        assertThat(disks()).containsExactlyInAnyOrder(orphan, namesake, claimed, released, noClaim, "users-own");

        sweep(Instant.now().plus(GRACE).plusSeconds(1));
        assertThat(disks()).containsExactlyInAnyOrder(claimed, released, noClaim, "users-own");
        // each deletion is told where kubectl shows it, on the disk that went
        assertThat(kube.v1().events().inNamespace(NS).list().getItems())
                .filteredOn(e -> "ClaimGone".equals(e.getReason()))
                .extracting(e -> e.getInvolvedObject().getName() + ": " + e.getType() + " " + e.getMessage())
                .containsExactlyInAnyOrder(
                        orphan + ": Warning deleted: made for claim gone, which is gone, and no PV names it",
                        namesake
                                + ": Warning deleted: made for claim again, which was deleted and made again since, and no PV"
                                + " names it");
    }

    private void sweep(Instant now) {
        new OrphanVolumes(
                        kube,
                        () -> kube.resources(WorkDisk.class)
                                .inNamespace(NS)
                                .list()
                                .getItems(),
                        Clock.fixed(now, ZoneOffset.UTC),
                        GRACE)
                .sweep();
    }

    private List<String> disks() {
        return kube.resources(WorkDisk.class).inNamespace(NS).list().getItems().stream()
                .map(d -> d.getMetadata().getName())
                .toList();
    }

    /** A disk as CreateVolume makes it for claim {@code pvc} ("" when the request named none). */
    private String csiDisk(String name, String pvc) {
        WorkDisk disk = Manifests.disk(NS, name, WorkDiskSpec.ofSize("64Mi"));
        Map<String, String> annotations = new HashMap<>();
        annotations.put(DiskAnnotations.CSI_VOLUME_NAME, name);
        annotations.put(DiskAnnotations.PVC, pvc);
        disk.getMetadata().setAnnotations(annotations);
        made.add(kube.resource(disk).create());
        return name;
    }

    private String claim(String name) {
        made.add(kube.resource(Claims.claim(NS, name, "workdisk", "64Mi")).create());
        return name;
    }

    private String claimUid(String name) {
        return Claims.get(kube, NS, name).getMetadata().getUid();
    }

    private void pvNaming(String disk) {
        WorkDisk d =
                kube.resources(WorkDisk.class).inNamespace(NS).withName(disk).get();
        made.add(kube.resource(new PersistentVolumeBuilder()
                        .withNewMetadata()
                        .withName(disk)
                        .endMetadata()
                        .withNewSpec()
                        .withCapacity(Map.of("storage", new Quantity("64Mi")))
                        .withAccessModes("ReadWriteOnce")
                        .withPersistentVolumeReclaimPolicy("Delete")
                        .withNewCsi()
                        .withDriver(CsiDriver.NAME)
                        .withVolumeHandle(
                                VolumeId.of(NS, disk, d.getMetadata().getUid()).toString())
                        .endCsi()
                        .endSpec()
                        .build())
                .create());
    }
}

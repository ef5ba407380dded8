package io.workdisk.operator.csi;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.VolumeId;
import io.workdisk.operator.status.EventRecorder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back the disks CreateVolume made for a claim that is gone without a PV ever naming them. The
 * csi-provisioner deletes a volume only through its PV; it keeps the claims it is provisioning in memory, so when
 * it restarts (as it does whenever the driver's socket goes: the operator restarted) while a claim is deleted, the
 * disk it had asked for is nobody's: no PV to reclaim it, no claim to bind it. Such a disk is deleted here once it
 * is older than {@code grace} (the provisioner's time to write the PV after CreateVolume answered), its claim no
 * longer exists (or is a namesake of another uid) and no PV of this driver names it. Each deletion is logged and
 * told as a Warning Event on the disk ({@value #REASON}), for {@code kubectl get events} to show why it went.
 */
public final class OrphanVolumes {
    private static final Logger log = LoggerFactory.getLogger(OrphanVolumes.class);
    static final String REASON = "ClaimGone";

    private final KubernetesClient client;
    private final EventRecorder events;
    private final Supplier<List<WorkDisk>> disks;
    private final Clock clock;
    private final Duration grace;
    /** Disks (by uid) a PV has named: the PV's reclaim takes them back, never this sweep. */
    private final Set<String> named = ConcurrentHashMap.newKeySet();

    public OrphanVolumes(KubernetesClient client, Supplier<List<WorkDisk>> disks, Clock clock, Duration grace) {
        this.client = client;
        this.events = new EventRecorder(client, clock);
        this.disks = disks;
        this.clock = clock;
        this.grace = grace;
    }

    /** One look at the disks; a failure is logged and the next sweep tries again. */
    public void sweep() {
        try {
            sweepOnce();
        } catch (RuntimeException e) {
            // an exception out of a scheduled task would end the sweeps for good
            log.warn("cannot look for disks whose claim is gone: {}", e.getMessage());
        }
    }

    private void sweepOnce() {
        Instant before = clock.instant().minus(grace);
        List<WorkDisk> all = disks.get();
        named.retainAll(all.stream().map(d -> d.getMetadata().getUid()).collect(Collectors.toSet()));
        List<WorkDisk> candidates = all.stream()
                .filter(d -> madeForAClaim(d) && !named.contains(d.getMetadata().getUid()))
                .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
                .filter(d ->
                        Instant.parse(d.getMetadata().getCreationTimestamp()).isBefore(before))
                .toList();
        if (candidates.isEmpty()) {
            return; // the usual case: every disk of a claim has its PV, and one list of PVs is spared
        }
        for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
            if (pv.getSpec().getCsi() != null
                    && CsiDriver.NAME.equals(pv.getSpec().getCsi().getDriver())) {
                VolumeId.parse(pv.getSpec().getCsi().getVolumeHandle()).ifPresent(id -> named.add(id.uid()));
            }
        }
        for (WorkDisk disk : candidates) {
            String claimGone = named.contains(disk.getMetadata().getUid()) ? null : claimGone(disk);
            if (claimGone != null) {
                String why = "made for claim " + claimName(disk) + ", which " + claimGone + ", and no PV names it";
                log.info(
                        "deleting WorkDisk {}/{}: {}",
                        disk.getMetadata().getNamespace(),
                        disk.getMetadata().getName(),
                        why);
                client.resource(disk).delete();
                events.warning(disk, REASON, "deleted: " + why);
            }
        }
    }

    /** Made by CreateVolume for a claim (csi-sanity's volumes name none). */
    private static boolean madeForAClaim(WorkDisk disk) {
        Map<String, String> annotations = disk.getMetadata().getAnnotations();
        return annotations != null
                && disk.getMetadata().getName().equals(annotations.get(Volumes.CSI_NAME))
                && !annotations.getOrDefault(Volumes.PVC, "").isEmpty();
    }

    private static String claimName(WorkDisk disk) {
        return disk.getMetadata().getAnnotations().get(Volumes.PVC);
    }

    /**
     * How the claim is gone, or null if it is there: no claim of that name, or one of another uid (the provisioner
     * names a volume after its claim's uid, so the claim made again under the same name is not the one this disk
     * was made for).
     */
    private String claimGone(WorkDisk disk) {
        PersistentVolumeClaim claim = client.persistentVolumeClaims()
                .inNamespace(disk.getMetadata().getNamespace())
                .withName(claimName(disk))
                .get();
        if (claim == null) {
            return "is gone";
        }
        return disk.getMetadata().getName().endsWith(claim.getMetadata().getUid())
                ? null
                : "was deleted and made again since";
    }
}

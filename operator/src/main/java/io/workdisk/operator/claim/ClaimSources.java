package io.workdisk.operator.claim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.WithoutManagedFields;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The informers that tell a WorkDisk's reconciler about its volume objects: the PVs the operator made (by their
 * labels; their claimRef names the disk), and every PVC (one of a disk's name is its claim, or a conflict).
 */
public final class ClaimSources {
    private static final String VOLUMES = "workdisk-volumes";
    private static final String CLAIMS = "workdisk-claims";

    private final InformerEventSource<PersistentVolume, WorkDisk> volumes;
    private final InformerEventSource<PersistentVolumeClaim, WorkDisk> claims;

    private ClaimSources(
            InformerEventSource<PersistentVolume, WorkDisk> volumes,
            InformerEventSource<PersistentVolumeClaim, WorkDisk> claims) {
        this.volumes = volumes;
        this.claims = claims;
    }

    public List<EventSource<?, WorkDisk>> eventSources() {
        return List.of(volumes, claims);
    }

    /**
     * An object just made, into its informer's cache at once: the next reconcile, which may come before the
     * watch delivers it, sees it and does not try to make it again.
     */
    public void remember(HasMetadata made) {
        if (made instanceof PersistentVolume pv) {
            volumes.handleRecentResourceCreate(ResourceID.fromResource(pv), pv);
        } else if (made instanceof PersistentVolumeClaim pvc) {
            claims.handleRecentResourceCreate(ResourceID.fromResource(pvc), pvc);
        }
    }

    public static ClaimSources of(EventSourceContext<WorkDisk> context) {
        var volumes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(PersistentVolume.class, WorkDisk.class)
                        .withName(VOLUMES)
                        .withItemStore(new WithoutManagedFields<>())
                        .withLabelSelector(ApiGroup.OWNER_KIND_LABEL + "=WorkDisk")
                        .withSecondaryToPrimaryMapper(pv -> pv.getSpec().getClaimRef() == null
                                ? Set.of()
                                : Set.of(new ResourceID(
                                        pv.getSpec().getClaimRef().getName(),
                                        pv.getSpec().getClaimRef().getNamespace())))
                        .withPrimaryToSecondaryMapper(
                                (WorkDisk d) -> Set.of(new ResourceID(ClaimObjects.volumeName(d))))
                        .build(),
                context);
        var claims = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, WorkDisk.class)
                        .withName(CLAIMS)
                        .withItemStore(new WithoutManagedFields<>())
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper(pvc -> Set.of(ResourceID.fromResource(pvc)))
                        .withPrimaryToSecondaryMapper((WorkDisk d) -> Set.of(ResourceID.fromResource(d)))
                        .build(),
                context);
        return new ClaimSources(volumes, claims);
    }

    /** The disk's volume objects as the informers last saw them, beside the status about to be reported. */
    public ClaimState observe(WorkDisk disk, WorkDiskStatus reported, Context<WorkDisk> context, Instant now) {
        return ClaimState.of(
                disk,
                reported,
                context.getSecondaryResource(PersistentVolume.class, VOLUMES),
                context.getSecondaryResource(PersistentVolumeClaim.class, CLAIMS),
                now);
    }
}

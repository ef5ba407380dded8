package io.workdisk.operator.csi;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import io.workdisk.api.Conditions;
import io.workdisk.api.workdisk.DiskAnnotations;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.csi.VolumeId;
import io.workdisk.operator.workdisk.DiskFinalizer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * CSI volumes as WorkDisks: made, grown and deleted through the API like any user's, and waited for until the
 * operator's reconciler (and the node's agent) have done the work. The controller never touches a disk.
 */
final class Volumes {
    /** On a WorkDisk this driver made: the CSI name it was made for, and the PVC it serves. */
    static final String CSI_NAME = DiskAnnotations.CSI_VOLUME_NAME;

    static final String PVC = DiskAnnotations.PVC;
    /** Placement reasons that no waiting will change for this request: the disk is taken back and the CO told. */
    private static final Set<String> CANNOT_PLACE =
            Set.of("NoCapacity", "NoMatchingNode", "NodeNotFound", "InvalidSpec");

    private final KubernetesClient client;
    private final CapacityReport capacity;
    private final DiskWaits waits;
    private final Duration wait;
    /** Where a call goes on once its disk got somewhere: off the watch's thread, which must not wait on the API. */
    private final Executor answers;

    Volumes(KubernetesClient client, CapacityReport capacity, DiskWaits waits, Duration wait, Executor answers) {
        this.client = client;
        this.capacity = capacity;
        this.waits = waits;
        this.wait = wait;
        this.answers = answers;
    }

    /**
     * The Ready disk for this request: found (same name, same ask) or made, then waited for without a thread. What
     * is wrong with the request is thrown at once; what the wait ends in fails the future with a
     * {@link ControllerRefusal}.
     */
    CompletableFuture<WorkDisk> create(VolumeRequest request) throws ControllerRefusal {
        // The watch's copy answers a retried call; a disk made meanwhile that it does not show yet is met by the
        // create's conflict, which reads the disk from the server.
        WorkDisk existing = waits.known(request.namespace(), request.name());
        if (existing == null) {
            if (request.seedRef() != null
                    && client.resources(WorkSeed.class)
                                    .withName(request.seedRef())
                                    .get()
                            == null) {
                throw ControllerRefusal.of(
                        Status.Code.INVALID_ARGUMENT,
                        "seed " + request.seedRef() + " (parameter seedRef) does not exist");
            }
            existing = makeIfRoom(request);
        }
        refuseIfDifferent(existing, request);
        return awaitDisk(
                        existing,
                        d -> d.getStatus() != null
                                && (d.getStatus().phase() == DiskPhase.Ready
                                        || d.getStatus().phase() == DiskPhase.Failed
                                        || cannotPlace(d) != null))
                .thenApplyAsync(ready -> refusing(() -> madeOrTakenBack(request, ready)), answers);
    }

    /** The disk if it is Ready; else it is deleted, nothing being left for a request that cannot be met here. */
    private WorkDisk madeOrTakenBack(VolumeRequest request, WorkDisk ready) throws ControllerRefusal {
        String cannot = cannotPlace(ready);
        if (cannot != null || ready.getStatus().phase() == DiskPhase.Failed) {
            // the CO may ask again elsewhere
            client.resource(ready).delete();
            Condition why = cannot != null
                    ? Conditions.find(ready.getStatus().conditions(), "Placed")
                    : Conditions.find(ready.getStatus().conditions(), "Ready");
            String reason = why == null ? "Failed" : why.getReason();
            throw ControllerRefusal.of(
                    refusalCode(reason),
                    "disk " + request.name() + " cannot be made: " + reason
                            + (why == null || why.getMessage() == null ? "" : " (" + why.getMessage() + ")"));
        }
        return ready;
    }

    /** Deleting removes the image (the disk's reclaim policy is Delete); an unknown or replaced disk is gone already. */
    void delete(VolumeId id) {
        WorkDisk disk = byId(id).orElse(null);
        if (disk != null) {
            client.resource(disk).delete();
        }
    }

    /**
     * Grows the disk to at least {@code bytes} offline, through its spec, and waits until it has (or until a pod's
     * use holds it back), without a thread.
     */
    CompletableFuture<WorkDisk> expand(VolumeId id, long bytes) throws ControllerRefusal {
        WorkDisk disk = byId(id).orElseThrow(
                        () -> ControllerRefusal.of(Status.Code.NOT_FOUND, "volume " + id + " does not exist"));
        long current = disk.getStatus() == null || disk.getStatus().capacityBytes() == null
                ? 0
                : disk.getStatus().capacityBytes();
        if (bytes <= current) {
            return CompletableFuture.completedFuture(disk); // grow-only: no more than it has is met already
        }
        long size = (bytes + (1 << 20) - 1) & ~((1L << 20) - 1);
        client.resources(WorkDisk.class)
                .inNamespace(id.namespace())
                .withName(id.name())
                .edit(d -> {
                    d.setSpec(d.getSpec().withSize(quantity(size)));
                    return d;
                });
        return awaitDisk(
                        disk,
                        d -> d.getStatus() != null
                                && ((d.getStatus().phase() == DiskPhase.Ready
                                                && d.getStatus().capacityBytes() != null
                                                && d.getStatus().capacityBytes() >= bytes)
                                        || inUse(d) != null))
                .thenApply(seen -> refusing(() -> {
                    Condition waiting = inUse(seen);
                    if (waiting != null) {
                        // A pod uses the disk: the operator grows it once the pod lets go (the spec asks it
                        // already). The resizer is answered at once, with why, rather than held for the whole
                        // wait; it asks again later.
                        throw ControllerRefusal.of(
                                Status.Code.FAILED_PRECONDITION, "volume " + id + " is " + waiting.getMessage());
                    }
                    return seen;
                }));
    }

    /**
     * A size as people write it ({@code 192Mi}, {@code 8Gi}): the WorkDisk's spec and every message quoting it
     * (kubectl, the resizer's events) read as the claim asked, not as a byte count. Sizes here are whole MiB.
     */
    static String quantity(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "Gi";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "Mi";
        }
        return Long.toString(bytes);
    }

    /** The Ready condition saying a pod's use holds the disk back, or null. */
    private static Condition inUse(WorkDisk disk) {
        if (disk.getStatus() == null) {
            return null;
        }
        Condition ready = Conditions.find(disk.getStatus().conditions(), "Ready");
        return ready != null && DiskReasons.IN_USE.equals(ready.getReason()) ? ready : null;
    }

    /** The disk a volume id names, if it exists and is that disk (not a namesake made later). */
    Optional<WorkDisk> byId(VolumeId id) {
        WorkDisk disk = get(id.namespace(), id.name());
        if (disk == null || !id.uid().equals(disk.getMetadata().getUid())) {
            return Optional.empty();
        }
        return Optional.of(disk);
    }

    private WorkDisk make(VolumeRequest request) throws ControllerRefusal {
        WorkDisk disk = new WorkDisk();
        disk.setMetadata(new ObjectMetaBuilder()
                .withNamespace(request.namespace())
                .withName(request.name())
                .withAnnotations(Map.of(CSI_NAME, request.name(), PVC, request.pvcName()))
                // made with the finalizer the operator would add: one write less per volume, in a burst of them
                .withFinalizers(DiskFinalizer.NAME)
                .build());
        disk.setSpec(WorkDiskSpec.ofSize(quantity(request.sizeBytes()))
                .withSeedRef(request.seedRef())
                .withNodeName(request.nodeName())
                .withPreallocate(request.preallocate() ? Boolean.TRUE : null));
        try {
            return client.resource(disk).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                WorkDisk there = get(request.namespace(), request.name());
                if (there == null) {
                    throw ControllerRefusal.of(
                            Status.Code.ABORTED, "disk " + request.name() + " was being deleted; ask again");
                }
                return there;
            }
            if (e.getCode() == 422) {
                throw ControllerRefusal.of(
                        Status.Code.INVALID_ARGUMENT,
                        "the API server refused the disk: "
                                + (e.getStatus() == null
                                        ? e.getMessage()
                                        : e.getStatus().getMessage()));
            }
            throw e;
        }
    }

    /**
     * A disk pinned to a node (as the topology the provisioner sends pins it) is not placed by the operator, so
     * the room is counted here, one request at a time: the disks on the node as the watch knows them, plus those
     * made (or being made) here that it has not shown yet; the count and the reservation are under the lock, the
     * create itself is not, so requests for different disks are made in parallel. The scheduler's capacity check passed the node on figures a few
     * seconds old; with many claims at once several pass on the same room, and all but those that fit are told
     * RESOURCE_EXHAUSTED, for the scheduler to choose again. (Checked on the node's record alone, which the
     * agent updates seconds later, twelve claims at once put four 128Mi disks on a node with room for two.)
     */
    private WorkDisk makeIfRoom(VolumeRequest request) throws ControllerRefusal {
        if (request.nodeName() == null) {
            return make(request); // the operator places it, counting the room itself
        }
        synchronized (this) {
            long[] capacityAndFree = capacity.capacityAndFree(request.nodeName());
            long room = Math.min(
                    capacityAndFree[0] - waits.allocatedOn(request.nodeName()), capacity.roomOn(request.nodeName()));
            if (room < request.sizeBytes()) {
                throw ControllerRefusal.of(
                        Status.Code.RESOURCE_EXHAUSTED,
                        "disk " + request.name() + " cannot be made: NoCapacity (node " + request.nodeName()
                                + " has room for " + Math.max(0, room) + " bytes, the disk needs "
                                + request.sizeBytes() + ")");
            }
            // reserved before the create, so the lock covers only the count, not the API request
            waits.reserve(request.namespace(), request.name(), request.nodeName(), request.sizeBytes());
        }
        try {
            WorkDisk made = make(request);
            waits.made(request.namespace(), request.name());
            return made;
        } catch (ControllerRefusal | RuntimeException e) {
            waits.release(request.namespace(), request.name());
            throw e;
        }
    }

    private static void refuseIfDifferent(WorkDisk disk, VolumeRequest request) throws ControllerRefusal {
        if (disk.getMetadata().getAnnotations() == null
                || !request.name().equals(disk.getMetadata().getAnnotations().get(CSI_NAME))) {
            throw ControllerRefusal.of(
                    Status.Code.ALREADY_EXISTS,
                    "a WorkDisk " + request.namespace() + "/" + request.name()
                            + " exists that this driver did not make");
        }
        long had =
                Quantity.getAmountInBytes(new Quantity(disk.getSpec().size())).longValue();
        boolean sameSeed = Objects.equals(disk.getSpec().seedRef(), request.seedRef());
        if (had != request.sizeBytes() || !sameSeed) {
            throw ControllerRefusal.of(
                    Status.Code.ALREADY_EXISTS,
                    "volume " + request.name() + " exists with another size or seed (" + had + " bytes, seed "
                            + disk.getSpec().seedRef() + ")");
        }
    }

    private WorkDisk get(String namespace, String name) {
        return client.resources(WorkDisk.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** The disk once {@code done} holds for it (not for a namesake), or ABORTED when the wait runs out. */
    private CompletableFuture<WorkDisk> awaitDisk(WorkDisk disk, Predicate<WorkDisk> done) {
        String uid = disk.getMetadata().getUid();
        return waits.when(
                        disk.getMetadata().getNamespace(),
                        disk.getMetadata().getName(),
                        d -> uid.equals(d.getMetadata().getUid()) && done.test(d),
                        wait)
                .thenApply(seen -> refusing(() -> seen.orElseThrow(() -> ControllerRefusal.of(
                        Status.Code.ABORTED,
                        "disk " + disk.getMetadata().getName()
                                + " is not there yet; ask again (the operation goes on)"))));
    }

    /** A step after a wait: its refusal fails the future, as CompletionException wraps it. */
    private static <T> T refusing(Refusable<T> step) {
        try {
            return step.get();
        } catch (ControllerRefusal e) {
            throw new CompletionException(e);
        }
    }

    @FunctionalInterface
    private interface Refusable<T> {
        T get() throws ControllerRefusal;
    }

    /**
     * The spec's code for a disk that cannot be made: no room is RESOURCE_EXHAUSTED (for a claim the provisioner
     * then has the scheduler choose another node); a size the seed does not fit in is the request's own
     * OUT_OF_RANGE, which no retry on any node mends; anything else is INTERNAL.
     */
    private static Status.Code refusalCode(String reason) {
        if (CANNOT_PLACE.contains(reason) || "InsufficientSpace".equals(reason)) {
            return Status.Code.RESOURCE_EXHAUSTED;
        }
        if ("SizeBelowSeed".equals(reason)) {
            return Status.Code.OUT_OF_RANGE;
        }
        return Status.Code.INTERNAL;
    }

    /** The placement reason that no retry of this request will change, or null. */
    private static String cannotPlace(WorkDisk disk) {
        if (disk.getStatus() == null) {
            return null;
        }
        Condition placed = Conditions.find(disk.getStatus().conditions(), "Placed");
        if (placed != null && "False".equals(placed.getStatus()) && CANNOT_PLACE.contains(placed.getReason())) {
            return placed.getReason();
        }
        return null;
    }
}

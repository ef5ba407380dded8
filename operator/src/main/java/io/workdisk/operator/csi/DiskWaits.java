package io.workdisk.operator.csi;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.workdisk.api.WithoutManagedFields;
import io.workdisk.api.workdisk.WorkDisk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Waiting for WorkDisks to get somewhere, fed by one watch of all of them: a call waits on the cache's
 * changes, not on a watch of its own. The provisioner runs up to 100 CreateVolume calls at once; a watch
 * each was 100 open streams to the API server and their buffers in the operator, for disks that the one
 * watch sees anyway. A wait holds no thread either: it is a future that the watch completes, or
 * {@code timer} when it runs out (100 threads parked in CreateVolume were memory the operator's budget lacks).
 */
final class DiskWaits implements AutoCloseable {
    private record Waiter(Predicate<WorkDisk> done, CompletableFuture<WorkDisk> result) {}

    private static final String BY_NODE = "node";

    private final SharedIndexInformer<WorkDisk> disks;
    private final Map<String, List<Waiter>> waiting = new ConcurrentHashMap<>();
    /** Disks made here that the watch has not shown yet, by key: their room is counted all the same. */
    private final Map<String, Unseen> unseen = new ConcurrentHashMap<>();

    private record Unseen(String node, long bytes) {}

    private final ScheduledExecutorService timer;

    private DiskWaits(SharedIndexInformer<WorkDisk> disks, ScheduledExecutorService timer) {
        this.disks = disks;
        this.timer = timer;
    }

    /** {@code timer} ends the waits that run out; it is the caller's to shut down. */
    static DiskWaits watching(KubernetesClient client, ScheduledExecutorService timer) {
        DiskWaits waits = new DiskWaits(
                client.resources(WorkDisk.class)
                        .inAnyNamespace()
                        .runnableInformer(0)
                        .itemStore(new WithoutManagedFields<>()),
                timer);
        // CreateVolume sums the room of one node's disks: an index keeps that from reading every disk
        waits.disks.addIndexers(Map.of(BY_NODE, DiskWaits::nodeOf));
        waits.disks.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(WorkDisk disk) {
                // every disk made here is added before anything else happens to it on the watch, even if it is
                // deleted at once: from here on the store counts it
                waits.unseen.remove(Cache.namespaceKeyFunc(
                        disk.getMetadata().getNamespace(), disk.getMetadata().getName()));
                waits.seen(disk);
            }

            @Override
            public void onUpdate(WorkDisk before, WorkDisk disk) {
                waits.seen(disk);
            }

            @Override
            public void onDelete(WorkDisk disk, boolean finalStateUnknown) {}
        });
        waits.disks.run();
        return waits;
    }

    /**
     * The disk once {@code done} holds for it, as the watch sees it; empty if it does not within {@code wait}.
     * The cache is looked at after the waiter is in place, so a change between the two is never missed. The
     * future completes on the watch's thread or the timer's: what follows it must not block.
     */
    CompletableFuture<Optional<WorkDisk>> when(String namespace, String name, Predicate<WorkDisk> done, Duration wait) {
        String key = Cache.namespaceKeyFunc(namespace, name);
        Waiter waiter = new Waiter(done, new CompletableFuture<>());
        waiting.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(waiter);
        WorkDisk now = disks.getStore().getByKey(key);
        if (now != null && done.test(now)) {
            waiter.result().complete(now);
        }
        ScheduledFuture<?> runOut =
                timer.schedule(() -> waiter.result().complete(null), wait.toMillis(), TimeUnit.MILLISECONDS);
        return waiter.result()
                .whenComplete((disk, failure) -> {
                    runOut.cancel(false);
                    waiting.computeIfPresent(key, (k, list) -> {
                        list.remove(waiter);
                        return list.isEmpty() ? null : list;
                    });
                })
                .thenApply(Optional::ofNullable);
    }

    /** The disk of that name as the watch last showed it, or null. */
    WorkDisk known(String namespace, String name) {
        return disks.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
    }

    /**
     * Room on {@code node} for a disk about to be made there, counted until the watch shows the disk (whose own
     * size then counts) or the make is given up ({@link #release}).
     */
    void reserve(String namespace, String name, String node, long bytes) {
        unseen.put(Cache.namespaceKeyFunc(namespace, name), new Unseen(node, bytes));
    }

    /**
     * The disk reserved for is made (or was there already): once the watch shows it, its own size counts and the
     * reservation goes. The watch may have shown it already, so this looks once itself.
     */
    void made(String namespace, String name) {
        String key = Cache.namespaceKeyFunc(namespace, name);
        if (disks.getStore().getByKey(key) != null) {
            unseen.remove(key);
        }
    }

    /** The make reserved for did not happen: its room is free again. */
    void release(String namespace, String name) {
        unseen.remove(Cache.namespaceKeyFunc(namespace, name));
    }

    /**
     * The bytes the disks the watch knows take on a node: each disk where its status or, not yet placed, its
     * spec puts it, at the larger of its asked size and its size now (a disk being deleted still takes its room),
     * and those made here that it has not shown yet.
     */
    long allocatedOn(String node) {
        long sum = unseen.values().stream()
                .filter(u -> u.node().equals(node))
                .mapToLong(Unseen::bytes)
                .sum();
        for (WorkDisk d : disks.getIndexer().byIndex(BY_NODE, node)) {
            long asked =
                    Quantity.getAmountInBytes(new Quantity(d.getSpec().size())).longValue();
            long has = d.getStatus() == null || d.getStatus().capacityBytes() == null
                    ? 0
                    : d.getStatus().capacityBytes();
            sum += Math.max(asked, has);
        }
        return sum;
    }

    /** The node a disk takes room on: where its status puts it or, not yet placed, its spec; none if neither. */
    private static List<String> nodeOf(WorkDisk d) {
        String on = d.getStatus() != null && d.getStatus().nodeName() != null
                ? d.getStatus().nodeName()
                : d.getSpec() == null ? null : d.getSpec().nodeName();
        return on == null ? List.of() : List.of(on);
    }

    private void seen(WorkDisk disk) {
        List<Waiter> list = waiting.get(Cache.namespaceKeyFunc(
                disk.getMetadata().getNamespace(), disk.getMetadata().getName()));
        if (list != null) {
            for (Waiter w : list) {
                if (w.done().test(disk)) {
                    w.result().complete(disk);
                }
            }
        }
    }

    /** Every disk the watch knows now. */
    List<WorkDisk> all() {
        return disks.getStore().list();
    }

    @Override
    public void close() {
        disks.close();
    }
}

package io.workdisk.operator.workdisk;

import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.workdisk.api.workdisk.WorkDisk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Informer indexes over the WorkDisk cache of the disks not made yet, the only ones a change of a node
 * or a seed can move on: by the node they are placed on (or {@link #UNPLACED}), and by the seed they
 * wait for. The informer keeps them as disks change, so a node's or seed's event finds its disks by
 * lookup instead of a walk over every WorkDisk.
 */
public final class WaitingDiskIndex {
    static final String BY_NODE = "waiting-by-node";
    static final String BY_SEED = "waiting-by-seed";
    /** Key of {@link #BY_NODE} for disks not placed yet; no node has an empty name. */
    static final String UNPLACED = "";
    /** Key of {@link #BY_NODE} every waiting disk has too; no node is named "*". */
    static final String ANY = "*";

    private WaitingDiskIndex() {}

    public static void addTo(IndexerResourceCache<WorkDisk> disks) {
        disks.addIndexers(Map.of(BY_NODE, WaitingDiskIndex::nodeKeys, BY_SEED, WaitingDiskIndex::seedKeys));
    }

    /** Made: its image exists (a UUID was reported); nothing about nodes or seeds changes it any more. */
    static boolean waiting(WorkDisk d) {
        return d.getStatus() == null || d.getStatus().filesystemUUID() == null;
    }

    static List<String> nodeKeys(WorkDisk d) {
        if (!waiting(d)) {
            return List.of();
        }
        String node = d.getStatus() == null ? null : d.getStatus().nodeName();
        return List.of(ANY, node == null ? UNPLACED : node);
    }

    static List<String> seedKeys(WorkDisk d) {
        return waiting(d) && d.getSpec() != null && d.getSpec().seedRef() != null
                ? List.of(d.getSpec().seedRef())
                : List.of();
    }

    /** Waiting disks a change of {@code node} can move on: those not placed yet and those being made there. */
    static Set<ResourceID> onNodeOrUnplaced(IndexedResourceCache<WorkDisk> disks, String node) {
        List<WorkDisk> found = new ArrayList<>(disks.byIndex(BY_NODE, UNPLACED));
        found.addAll(disks.byIndex(BY_NODE, node));
        return ids(found);
    }

    /** Every waiting disk: a change of a Node's labels can move any of them (placement by selector). */
    static Set<ResourceID> all(IndexedResourceCache<WorkDisk> disks) {
        return ids(disks.byIndex(BY_NODE, ANY));
    }

    /** Waiting disks made from {@code seed}. */
    static Set<ResourceID> ofSeed(IndexedResourceCache<WorkDisk> disks, String seed) {
        return ids(disks.byIndex(BY_SEED, seed));
    }

    private static Set<ResourceID> ids(List<WorkDisk> disks) {
        return disks.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
    }
}

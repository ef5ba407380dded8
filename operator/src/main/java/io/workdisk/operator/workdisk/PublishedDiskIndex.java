package io.workdisk.operator.workdisk;

import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.VolumeId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The made disks a change of a node's publications moves on: those its record now lists (just published), and
 * those whose status still shows them published there (perhaps unpublished now). An informer index over the
 * WorkDisk cache by the node of the disks whose status lists a publication, so an unpublish finds its disk by
 * lookup: the node's new record no longer names it.
 */
final class PublishedDiskIndex {
    static final String BY_NODE = "published-by-node";

    private PublishedDiskIndex() {}

    static void addTo(IndexerResourceCache<WorkDisk> disks) {
        disks.addIndexers(Map.of(BY_NODE, PublishedDiskIndex::nodeKeys));
    }

    static List<String> nodeKeys(WorkDisk d) {
        var s = d.getStatus();
        return s == null
                        || s.nodeName() == null
                        || s.publishedTo() == null
                        || s.publishedTo().isEmpty()
                ? List.of()
                : List.of(s.nodeName());
    }

    static Set<ResourceID> onNode(IndexedResourceCache<WorkDisk> disks, WorkNode node) {
        Set<ResourceID> ids = new HashSet<>();
        disks.byIndex(BY_NODE, node.getMetadata().getName()).forEach(d -> ids.add(ResourceID.fromResource(d)));
        List<VolumePublication> listed =
                node.getStatus() == null || node.getStatus().publications() == null
                        ? List.of()
                        : node.getStatus().publications();
        for (VolumePublication p : listed) {
            VolumeId.parse(p.volumeId()).ifPresent(id -> ids.add(new ResourceID(id.name(), id.namespace())));
        }
        return ids;
    }
}

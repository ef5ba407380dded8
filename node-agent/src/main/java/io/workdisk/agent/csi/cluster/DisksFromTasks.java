package io.workdisk.agent.csi.cluster;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.agent.csi.NodeDisks;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.DataRootLayout;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.csi.VolumeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The agent's answer to "is this volume a Ready disk on this node": read from this node's own WorkTasks for the
 * disk, the channel the operator already instructs the agent through. A disk is usable here when a create
 * step (Format or Materialize) for it succeeded on this node, no Delete step has been asked for, no Resize
 * step is unfinished, and its image is in the data root at the path its UID gives.
 *
 * <p>Why tasks and not the WorkDisk: the agent may already list and watch its node's tasks, and nothing more;
 * tasks say exactly what was made here (another node's disk has no task labelled with this node) and what
 * is about to change it (delete, resize), which is what a publish must not race. One fresh list per publish
 * (rare) rather than a cache that could lag a delete.
 */
public final class DisksFromTasks implements NodeDisks {
    private final KubernetesClient client;
    private final String nodeName;
    private final Path dataRoot;

    public DisksFromTasks(KubernetesClient client, String nodeName, Path dataRoot) {
        this.client = client;
        this.nodeName = nodeName;
        this.dataRoot = dataRoot;
    }

    @Override
    public DiskLookup find(VolumeId id) {
        List<WorkTask> tasks;
        try {
            tasks = client.resources(WorkTask.class)
                    .inNamespace(id.namespace())
                    .withLabel(ApiGroup.NODE_LABEL, nodeName)
                    .withLabel(ApiGroup.OWNER_UID_LABEL, id.uid())
                    .list()
                    .getItems();
        } catch (KubernetesClientException e) {
            return DiskLookup.busy("cannot read this node's tasks for " + id + ": " + e.getMessage());
        }
        return judge(id, tasks, nodeName, dataRoot);
    }

    /** The decision, from the tasks alone (and whether the image is there). */
    static DiskLookup judge(VolumeId id, List<WorkTask> tasks, String nodeName, Path dataRoot) {
        String diskPath = DataRootLayout.diskPath(id.uid());
        List<WorkTask> mine = tasks.stream()
                .filter(t -> nodeName.equals(t.getSpec().nodeName()))
                .toList();
        if (mine.stream().anyMatch(t -> !ownedBy(t, "WorkDisk", id))) {
            return DiskLookup.missing("volume " + id + " names no disk: its tasks belong to a "
                    + mine.get(0).getMetadata().getOwnerReferences().stream()
                            .map(OwnerReference::getKind)
                            .findFirst()
                            .orElse("different object"));
        }
        boolean made = mine.stream()
                .anyMatch(t ->
                        (t.getSpec().type() == TaskType.Format || t.getSpec().type() == TaskType.Materialize)
                                && diskPath.equals(t.getSpec().path())
                                && t.getStatus() != null
                                && t.getStatus().phase() == TaskPhase.Succeeded);
        if (!made) {
            return DiskLookup.missing("disk " + id.namespace() + "/" + id.name() + " is not made on node " + nodeName);
        }
        if (mine.stream().anyMatch(t -> t.getSpec().type() == TaskType.Delete)) {
            return DiskLookup.busy("disk " + id.namespace() + "/" + id.name() + " is being deleted");
        }
        if (mine.stream().anyMatch(t -> t.getSpec().type() == TaskType.Resize && unfinished(t))) {
            return DiskLookup.busy("disk " + id.namespace() + "/" + id.name() + " is being resized");
        }
        Path image = dataRoot.resolve(diskPath);
        if (!Files.isRegularFile(image)) {
            return DiskLookup.missing("disk " + id.namespace() + "/" + id.name() + " has no image at " + image);
        }
        return DiskLookup.usable(image);
    }

    private static boolean ownedBy(WorkTask task, String kind, VolumeId id) {
        return task.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> kind.equals(o.getKind())
                        && id.uid().equals(o.getUid())
                        && id.name().equals(o.getName()));
    }

    /** A resize not yet done, or failed and to be tried again: the image is about to change size. */
    private static boolean unfinished(WorkTask task) {
        var status = task.getStatus();
        if (status == null || status.phase() == null) {
            return true;
        }
        return switch (status.phase()) {
            case Pending, Running -> true;
            case Succeeded -> false;
            case Failed -> Boolean.TRUE.equals(status.retryable());
        };
    }
}

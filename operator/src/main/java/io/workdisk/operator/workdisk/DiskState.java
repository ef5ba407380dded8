package io.workdisk.operator.workdisk;

import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.node.NodeView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything the operator observed about one WorkDisk before deciding what to do. What every disk has
 * allocated (where its status says it is, or where room is reserved for it) is read only if the disk is
 * being placed: it walks every WorkDisk.
 */
public record DiskState(
        WorkDisk disk,
        List<WorkTask> tasks,
        List<NodeView> nodes,
        Optional<WorkSeed> seed,
        Supplier<List<Placement.Allocation>> allocations,
        Instant now) {

    public Optional<NodeView> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public Optional<WorkTask> task(String name) {
        return tasks.stream()
                .filter(t -> t.getMetadata().getName().equals(name))
                .findFirst();
    }
}

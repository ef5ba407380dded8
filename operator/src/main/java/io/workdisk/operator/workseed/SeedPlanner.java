package io.workdisk.operator.workseed;

import io.workdisk.operator.task.Plan;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedStatus;
import io.workdisk.operator.node.NodeView;
import io.workdisk.api.Conditions;
import io.workdisk.operator.task.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a WorkSeed's per-node state: build it where it is wanted and missing or stale, remove it where
 * it is no longer wanted, report what each node holds. Never touches disks made from the seed.
 */
public final class SeedPlanner {
    private final String taskNamespace;

    public SeedPlanner(String taskNamespace) {
        this.taskNamespace = taskNamespace;
    }

    public static String buildTaskName(WorkSeed seed, String node, String digest) {
        return "ws-" + seed.getMetadata().getUid() + "-build-" + Tasks.digest(node, 10) + "-" + digest.substring(0, 8);
    }

    public static String deleteTaskName(WorkSeed seed, String node) {
        return "ws-" + seed.getMetadata().getUid() + "-delete-" + Tasks.digest(node, 10);
    }

    public static String seedPath(WorkSeed seed) {
        return seedPath(seed.getMetadata().getName());
    }

    /** Where a seed lives on each node: see {@link io.workdisk.api.DataRootLayout#seedPath}. */
    public static String seedPath(String seedName) {
        return io.workdisk.api.DataRootLayout.seedPath(seedName);
    }

    public Plan<WorkSeedStatus> plan(WorkSeed seed, List<WorkTask> tasks, List<NodeView> nodes, Instant now, boolean deleting) {
        String digest = SeedDigest.of(seed.getSpec());
        Map<String, NodeSeedStatus> previous = new LinkedHashMap<>();
        if (seed.getStatus() != null && seed.getStatus().nodes() != null) {
            seed.getStatus().nodes().forEach(n -> previous.put(n.node(), n));
        }
        List<NodeView> desired = deleting ? List.of()
                : nodes.stream().filter(n -> n.matches(seed.getSpec().nodeSelector())).toList();
        List<NodeSeedStatus> entries = new ArrayList<>();
        List<WorkTask> create = new ArrayList<>();
        List<WorkTask> removeNow = new ArrayList<>();
        List<WorkTask> removeAfter = new ArrayList<>();
        Optional<Duration> again = Optional.empty();

        for (NodeView node : desired) {
            NodeSeedStatus before = previous.get(node.name());
            String name = buildTaskName(seed, node.name(), digest);
            Optional<WorkTask> task = find(tasks, name);
            // builds for an older source are stale: drop them once finished
            tasks.stream().filter(t -> t.getSpec().type() == TaskType.BuildSeed && node.name().equals(t.getSpec().nodeName())
                    && !t.getMetadata().getName().equals(name) && t.getStatus() != null && t.getStatus().finished())
                    .forEach(removeNow::add);
            if (task.isPresent() && Tasks.succeeded(task.get())) {
                TaskResult r = task.get().getStatus().result();
                entries.add(new NodeSeedStatus(node.name(), "Ready", r.path(), r.sizeBytes(), r.payloadBytes(), r.files(),
                        r.skipped(), warnings(r), digest, task.get().getSpec().attempt()));
                removeAfter.add(task.get());
            } else if (before != null && "Ready".equals(before.phase()) && digest.equals(before.sourceDigest())) {
                entries.add(before);
            } else if (task.isPresent() && Tasks.failed(task.get())) {
                WorkTask t = task.get();
                String message = t.getStatus().message();
                if (Boolean.TRUE.equals(t.getStatus().retryable())) {
                    Optional<Duration> wait = Tasks.retryIn(t, now);
                    if (wait.isEmpty()) {
                        removeNow.add(t);
                        again = min(again, Duration.ofSeconds(1));
                    } else {
                        again = min(again, wait.get());
                        message += "; retrying in " + wait.get().toSeconds() + "s";
                    }
                }
                entries.add(new NodeSeedStatus(node.name(), "Failed", null, null, null, null, null, message, digest,
                        t.getSpec().attempt()));
            } else if (task.isPresent()) {
                entries.add(new NodeSeedStatus(node.name(), "Building", null, null, null, null, null,
                        "building from " + seed.getSpec().source().describe(), digest, task.get().getSpec().attempt()));
            } else if (!node.alive()) {
                entries.add(new NodeSeedStatus(node.name(), "Pending", null, null, null, null, null, node.why(), digest,
                        before == null ? null : before.attempt()));
                again = min(again, Duration.ofSeconds(15));
            } else {
                int attempt = before != null && "Failed".equals(before.phase()) && digest.equals(before.sourceDigest())
                        && before.attempt() != null ? before.attempt() + 1 : 1;
                create.add(Tasks.build(seed, taskNamespace, name, WorkTaskSpec.buildSeed(node.name(),
                        seedPath(seed), seed.getSpec().source(), seed.getSpec().effectiveSubtree(),
                        seed.getMetadata().getUid(), attempt)));
                entries.add(new NodeSeedStatus(node.name(), "Building", null, null, null, null, null,
                        "building from " + seed.getSpec().source().describe(), digest, attempt));
            }
        }
        // Nodes that hold the seed but should not: remove it there.
        for (NodeSeedStatus before : previous.values()) {
            if (desired.stream().anyMatch(n -> n.name().equals(before.node()))) {
                continue;
            }
            Optional<NodeView> node = nodes.stream().filter(n -> n.name().equals(before.node())).findFirst();
            if (node.isEmpty()) {
                continue; // the node and its agent are gone: nothing left to remove
            }
            String name = deleteTaskName(seed, before.node());
            Optional<WorkTask> task = find(tasks, name);
            if (task.isPresent() && Tasks.succeeded(task.get())) {
                removeAfter.add(task.get());
                continue;
            }
            if (task.isPresent() && Tasks.failed(task.get()) && !Boolean.TRUE.equals(task.get().getStatus().retryable())) {
                removeAfter.add(task.get());
                continue; // e.g. the file is no longer workdisk's: leave it, say nothing more
            }
            if (task.isPresent() && Tasks.failed(task.get())) {
                Optional<Duration> wait = Tasks.retryIn(task.get(), now);
                if (wait.isEmpty()) {
                    removeNow.add(task.get());
                }
                again = min(again, wait.orElse(Duration.ofSeconds(1)));
            } else if (task.isEmpty()) {
                create.add(Tasks.build(seed, taskNamespace, name, WorkTaskSpec.delete(before.node(),
                        seedPath(seed), seed.getMetadata().getUid(), 1)));
            }
            entries.add(new NodeSeedStatus(before.node(), "Removing", before.path(), before.sizeBytes(),
                    before.payloadBytes(), before.files(), before.skipped(), deleting ? "removing the seed" : "the node no longer matches",
                    before.sourceDigest(), before.attempt()));
        }
        entries.sort(Comparator.comparing(NodeSeedStatus::node));
        int ready = (int) entries.stream().filter(e -> "Ready".equals(e.phase())).count();
        int wanted = desired.size();
        boolean finished = deleting && entries.isEmpty();
        Condition readyCondition = readyCondition(entries, ready, wanted, deleting);
        readyCondition.setObservedGeneration(seed.getMetadata().getGeneration());
        List<Condition> prevConditions = seed.getStatus() == null ? List.of() : seed.getStatus().conditions();
        WorkSeedStatus status = new WorkSeedStatus(entries, ready, wanted, ready + "/" + wanted,
                seed.getSpec().source() == null ? "none" : seed.getSpec().source().describe(),
                Conditions.merge(prevConditions, List.of(readyCondition), now), seed.getMetadata().getGeneration());
        if (finished) {
            removeNow.addAll(tasks);
        }
        return new Plan<>(status, create, removeNow, removeAfter, again, finished);
    }

    private static Condition readyCondition(List<NodeSeedStatus> entries, int ready, int wanted, boolean deleting) {
        if (deleting) {
            return Conditions.of("Ready", false, "Deleting", "removing the seed from " + entries.size() + " node(s)", null);
        }
        if (wanted == 0) {
            return Conditions.of("Ready", false, "NoNodes", "no node with a workdisk agent matches", null);
        }
        List<String> failed = entries.stream().filter(e -> "Failed".equals(e.phase()))
                .map(e -> e.node() + ": " + e.message()).toList();
        if (!failed.isEmpty()) {
            return Conditions.of("Ready", false, "BuildFailed", String.join("; ", failed), null);
        }
        if (ready < wanted) {
            return Conditions.of("Ready", false, "Building", ready + " of " + wanted + " nodes have the seed", null);
        }
        return Conditions.of("Ready", true, "Ready", "the seed is on all " + wanted + " matching node(s)", null);
    }

    private static String warnings(TaskResult r) {
        return r.skipped() != null && r.skipped() > 0 ? r.skipped() + " entries skipped (devices, fifos, sockets)" : null;
    }

    private static Optional<WorkTask> find(List<WorkTask> tasks, String name) {
        return tasks.stream().filter(t -> t.getMetadata().getName().equals(name)).findFirst();
    }

    private static Optional<Duration> min(Optional<Duration> a, Duration b) {
        return Optional.of(a.isEmpty() || b.compareTo(a.get()) < 0 ? b : a.get());
    }
}

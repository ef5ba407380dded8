package io.workdisk.operator.workseed;

import io.workdisk.api.DataRootLayout;
import io.workdisk.api.task.ImageReference;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.ResolvedImage;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedStatus;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
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
    static final Duration WAIT_FOR_NODE = Duration.ofSeconds(15);

    private final String taskNamespace;
    private final ImageResolution resolution;

    public SeedPlanner(String taskNamespace) {
        this.taskNamespace = taskNamespace;
        this.resolution = new ImageResolution(taskNamespace);
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

    /** Where a seed lives on each node: see {@link DataRootLayout#seedPath}. */
    public static String seedPath(String seedName) {
        return DataRootLayout.seedPath(seedName);
    }

    public Plan<WorkSeedStatus> plan(
            WorkSeed seed, List<WorkTask> tasks, List<NodeView> nodes, Instant now, boolean deleting) {
        Map<String, NodeSeedStatus> held = new LinkedHashMap<>();
        if (seed.getStatus() != null && seed.getStatus().nodes() != null) {
            seed.getStatus().nodes().forEach(n -> held.put(n.node(), n));
        }
        List<NodeView> wanted = deleting
                ? List.of()
                : nodes.stream()
                        .filter(n -> n.matches(seed.getSpec().nodeSelector()))
                        .toList();
        Plan<ImageResolution.Standing> resolution = resolution(seed, tasks, wanted, now, deleting);
        ResolvedImage resolved = resolution.status().resolved();
        Seen seen = new Seen(
                seed, SeedDigest.of(seed.getSpec(), resolved).orElse(null), resolved, resolution.status(), tasks, now);
        List<Plan<Optional<NodeSeedStatus>>> parts = new ArrayList<>();
        for (NodeView node : wanted) {
            parts.add(
                    seen.digest() == null
                            ? entry(unresolved(seen, node, held.get(node.name())))
                            : buildOn(seen, node, held.get(node.name())));
        }
        for (NodeSeedStatus entry : held.values()) {
            if (wanted.stream().noneMatch(n -> n.name().equals(entry.node()))) {
                parts.add(removeFrom(seen, entry, nodes, deleting));
            }
        }
        List<NodeSeedStatus> entries = parts.stream()
                .flatMap(p -> p.status().stream())
                .sorted(Comparator.comparing(NodeSeedStatus::node))
                .toList();
        Plan<WorkSeedStatus> plan = Plan.<WorkSeedStatus>report(SeedStatuses.of(seen, entries, wanted.size(), deleting))
                .and(resolution);
        for (Plan<Optional<NodeSeedStatus>> part : parts) {
            plan = plan.and(part);
        }
        return deleting && entries.isEmpty() ? plan.finishing().removingNow(tasks) : plan;
    }

    private Plan<ImageResolution.Standing> resolution(
            WorkSeed seed, List<WorkTask> tasks, List<NodeView> wanted, Instant now, boolean deleting) {
        if (deleting) {
            ResolvedImage kept =
                    seed.getStatus() == null ? null : seed.getStatus().resolvedImage();
            return Plan.report(new ImageResolution.Standing(kept, null, null));
        }
        return resolution.decide(seed, tasks, wanted, now);
    }

    /**
     * What every node's part of the plan reads: the seed, the digest of its source ({@code null} while its
     * image tag is not resolved), the image resolution, its tasks, and the time.
     */
    record Seen(
            WorkSeed seed,
            String digest,
            ResolvedImage resolved,
            ImageResolution.Standing resolution,
            List<WorkTask> tasks,
            Instant now) {
        Optional<WorkTask> task(String name) {
            return tasks.stream()
                    .filter(t -> t.getMetadata().getName().equals(name))
                    .findFirst();
        }

        String source() {
            return describe(seed.getSpec().source(), resolved);
        }

        /** The source as the nodes get it: an image always named by its digest, so every node builds the same. */
        SeedSource buildSource() {
            SeedSource source = seed.getSpec().source();
            if (source.image() == null) {
                return source;
            }
            String imageDigest = SeedDigest.imageDigest(source, resolved).orElseThrow();
            return SeedSource.image(source.image().pinnedTo(imageDigest));
        }
    }

    /** spec.source in one line, an image with the short form of the digest it resolved to. */
    static String describe(SeedSource source, ResolvedImage resolved) {
        if (source == null) {
            return "none";
        }
        if (source.image() == null) {
            return source.describe();
        }
        Optional<String> digest = SeedDigest.imageDigest(source, resolved);
        return digest.map(d -> "image:"
                        + ImageReference.parse(source.image().reference()).name() + "@"
                        + ImageReference.shortDigest(d))
                .orElse(source.describe());
    }

    /** A node waiting for the image tag to be resolved: it cannot build yet, whatever it held before. */
    private static NodeSeedStatus unresolved(Seen seen, NodeView node, NodeSeedStatus before) {
        return NodeSeedStatus.without(
                node.name(),
                SeedPhase.Pending,
                seen.resolution().message(),
                null,
                before == null ? null : before.attempt());
    }

    // ---- a node the seed is wanted on: one part of the plan, the node's entry in the status and its tasks ----

    private Plan<Optional<NodeSeedStatus>> buildOn(Seen seen, NodeView node, NodeSeedStatus before) {
        String name = buildTaskName(seen.seed(), node.name(), seen.digest());
        return build(seen, node, before, seen.task(name)).removingNow(staleBuilds(seen, node, name));
    }

    private Plan<Optional<NodeSeedStatus>> build(
            Seen seen, NodeView node, NodeSeedStatus before, Optional<WorkTask> task) {
        if (task.isPresent() && Tasks.succeeded(task.get())) {
            return entry(built(seen, node, task.get())).removingAfterReport(task.get());
        }
        if (before != null && before.phase() == SeedPhase.Ready && seen.digest().equals(before.sourceDigest())) {
            return entry(before);
        }
        if (task.isPresent() && Tasks.failed(task.get())) {
            Retry retry = Retry.of(task.get(), seen.now());
            return entry(NodeSeedStatus.without(
                            node.name(),
                            SeedPhase.Failed,
                            task.get().getStatus().message() + retry.says(),
                            seen.digest(),
                            task.get().getSpec().attempt()))
                    .retrying(task.get(), retry);
        }
        if (task.isPresent()) {
            return entry(building(seen, node, task.get().getSpec().attempt())
                    .withImage(
                            null,
                            task.get().getStatus() == null
                                    ? null
                                    : task.get().getStatus().progress()));
        }
        if (!node.alive()) {
            return entry(NodeSeedStatus.without(
                            node.name(),
                            SeedPhase.Pending,
                            node.why(),
                            seen.digest(),
                            before == null ? null : before.attempt()))
                    .lookingAgainIn(WAIT_FOR_NODE);
        }
        WorkTask build = buildTask(seen, node, nextAttempt(seen, before));
        return entry(building(seen, node, build.getSpec().attempt())).creating(build);
    }

    /** Builds for an older source, finished: they stand for nothing any more. */
    private static List<WorkTask> staleBuilds(Seen seen, NodeView node, String current) {
        return seen.tasks().stream()
                .filter(t -> t.getSpec().type() == TaskType.BuildSeed
                        && node.name().equals(t.getSpec().nodeName())
                        && !t.getMetadata().getName().equals(current)
                        && t.getStatus() != null
                        && t.getStatus().finished())
                .toList();
    }

    /** One more than the last failed build of this source on the node, else the first. */
    private static int nextAttempt(Seen seen, NodeSeedStatus before) {
        boolean lastFailed = before != null
                && before.phase() == SeedPhase.Failed
                && seen.digest().equals(before.sourceDigest());
        return Retry.nextAttempt(lastFailed ? before.attempt() : null);
    }

    private WorkTask buildTask(Seen seen, NodeView node, int attempt) {
        WorkSeed seed = seen.seed();
        return Tasks.build(
                seed,
                taskNamespace,
                buildTaskName(seed, node.name(), seen.digest()),
                WorkTaskSpec.buildSeed(
                        node.name(),
                        seedPath(seed),
                        seen.buildSource(),
                        seed.getSpec().effectiveSubtree(),
                        seed.getSpec().effectiveOwnership(),
                        seed.getMetadata().getUid(),
                        attempt));
    }

    private static NodeSeedStatus built(Seen seen, NodeView node, WorkTask task) {
        TaskResult r = task.getStatus().result();
        return NodeSeedStatus.ready(
                node.name(), r, warnings(r), seen.digest(), task.getSpec().attempt());
    }

    private static NodeSeedStatus building(Seen seen, NodeView node, Integer attempt) {
        return NodeSeedStatus.without(
                node.name(), SeedPhase.Building, "building from " + seen.source(), seen.digest(), attempt);
    }

    // ---- a node that holds the seed and should not: remove it there ----

    private Plan<Optional<NodeSeedStatus>> removeFrom(
            Seen seen, NodeSeedStatus held, List<NodeView> nodes, boolean deleting) {
        if (nodes.stream().noneMatch(n -> n.name().equals(held.node()))) {
            return dropped(); // the node and its agent are gone: nothing left to remove
        }
        Optional<WorkTask> task = seen.task(deleteTaskName(seen.seed(), held.node()));
        Plan<Optional<NodeSeedStatus>> removing =
                entry(held.removing(deleting ? "removing the seed" : "the node no longer matches"));
        if (task.isEmpty()) {
            return removing.creating(deleteTask(seen.seed(), held.node()));
        }
        if (Tasks.succeeded(task.get())) {
            return dropped().removingAfterReport(task.get());
        }
        if (!Tasks.failed(task.get())) {
            return removing;
        }
        return Retry.of(task.get(), seen.now())
                .plan(
                        task.get(),
                        // e.g. the file is no longer workdisk's: leave it
                        () -> dropped().removingAfterReport(task.get()),
                        retry -> removing);
    }

    private WorkTask deleteTask(WorkSeed seed, String node) {
        return Tasks.build(
                seed,
                taskNamespace,
                deleteTaskName(seed, node),
                WorkTaskSpec.delete(node, seedPath(seed), seed.getMetadata().getUid(), 1));
    }

    private static Plan<Optional<NodeSeedStatus>> entry(NodeSeedStatus entry) {
        return Plan.report(Optional.of(entry));
    }

    /** The node drops out of the status: the seed is no longer there. */
    private static Plan<Optional<NodeSeedStatus>> dropped() {
        return Plan.report(Optional.empty());
    }

    private static String warnings(TaskResult r) {
        return r.skipped() != null && r.skipped() > 0
                ? r.skipped() + " entries skipped (devices, fifos, sockets)"
                : null;
    }
}

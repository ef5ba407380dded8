package io.workdisk.operator.workseed;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.Conditions;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.SeedReasons;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedStatus;
import io.workdisk.operator.status.KstatusConditions;
import io.workdisk.operator.workseed.SeedPlanner.Seen;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The WorkSeed's status as a whole, from its nodes' entries: how many have it, the Ready condition
 * (with kstatus's) and, for an image source, whether its tag is resolved.
 */
final class SeedStatuses {
    private SeedStatuses() {}

    static WorkSeedStatus of(Seen seen, List<NodeSeedStatus> entries, int wanted, boolean deleting) {
        WorkSeed seed = seen.seed();
        int ready =
                (int) entries.stream().filter(e -> e.phase() == SeedPhase.Ready).count();
        List<Condition> now = new ArrayList<>();
        now.add(readyCondition(seen, entries, ready, wanted, deleting));
        imageCondition(seen).ifPresent(now::add);
        now.forEach(c -> c.setObservedGeneration(seed.getMetadata().getGeneration()));
        List<Condition> previous =
                seed.getStatus() == null ? List.of() : seed.getStatus().conditions();
        return new WorkSeedStatus(
                entries,
                ready,
                wanted,
                ready + "/" + wanted,
                seen.source(),
                seen.resolved(),
                progress(entries),
                Conditions.merge(
                        previous,
                        KstatusConditions.adding(now, c -> SeedReasons.FAILED.contains(c.getReason())),
                        seen.now()),
                seed.getMetadata().getGeneration());
    }

    /** Nodes building an image, with how far each has come: {@code node-a 120Mi/260Mi, 3052 entries}. */
    private static String progress(List<NodeSeedStatus> entries) {
        List<String> building = entries.stream()
                .filter(e -> e.phase() == SeedPhase.Building && e.progress() != null)
                .map(e -> e.node() + " " + e.progress().describe())
                .toList();
        return building.isEmpty() ? null : String.join("; ", building);
    }

    /** Image sources only: whether the tag's digest is known, and if not, why. */
    private static Optional<Condition> imageCondition(Seen seen) {
        SeedSource source = seen.seed().getSpec().source();
        if (source == null || source.image() == null) {
            return Optional.empty();
        }
        ImageResolution.Standing r = seen.resolution();
        if (r.settled()) {
            return Optional.of(Conditions.of(
                    "ImageResolved",
                    seen.resolved() != null,
                    "Resolved",
                    seen.resolved() == null
                            ? "not resolved"
                            : source.image().reference() + " is "
                                    + seen.resolved().digest()));
        }
        return Optional.of(Conditions.of("ImageResolved", false, r.reason(), r.message()));
    }

    private static Condition readyCondition(
            Seen seen, List<NodeSeedStatus> entries, int ready, int wanted, boolean deleting) {
        if (deleting) {
            return Conditions.of("Ready", false, "Deleting", "removing the seed from " + entries.size() + " node(s)");
        }
        if (wanted == 0) {
            return Conditions.of("Ready", false, "NoNodes", "no node with a workdisk agent matches");
        }
        if (seen.digest() == null) {
            return Conditions.of(
                    "Ready",
                    false,
                    seen.resolution().reason(),
                    seen.resolution().message());
        }
        List<String> failed = entries.stream()
                .filter(e -> e.phase() == SeedPhase.Failed)
                .map(e -> e.node() + ": " + e.message())
                .toList();
        if (!failed.isEmpty()) {
            return Conditions.of("Ready", false, SeedReasons.BUILD_FAILED, String.join("; ", failed));
        }
        if (ready < wanted) {
            return Conditions.of("Ready", false, "Building", ready + " of " + wanted + " nodes have the seed");
        }
        return Conditions.of("Ready", true, SeedReasons.READY, "the seed is on all " + wanted + " matching node(s)");
    }
}

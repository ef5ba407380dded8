package io.workdisk.operator.workseed;

import io.workdisk.api.ApiGroup;
import io.workdisk.api.task.ImageReference;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workseed.ResolvedImage;
import io.workdisk.api.workseed.SeedReasons;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import io.workdisk.operator.task.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which digest a WorkSeed's image tag names, found out once. The operator talks to no registry (the
 * credentials live on the agents), so it asks one node's agent with a ResolveImage task, records the
 * answer in {@code status.resolvedImage}, and every node then builds from {@code name@digest}. A reference
 * pinned by digest needs no asking. The answer stands until the reference changes, or until the annotation
 * {@value #ANNOTATION} is set to a value the recorded answer was not given for: a moving tag is never
 * followed silently. A failed resolution is retried with the usual backoff when the agent says it may
 * help; a task whose node's agent stopped is given up and asked of another node.
 */
public final class ImageResolution {
    /** Set (to any new value, e.g. the time) to resolve the tag again. */
    public static final String ANNOTATION = ApiGroup.GROUP + "/resolve-image";

    static final Duration WAIT_FOR_NODE = Duration.ofSeconds(15);

    private final String taskNamespace;

    public ImageResolution(String taskNamespace) {
        this.taskNamespace = taskNamespace;
    }

    /**
     * Where the resolution stands: {@code resolved} is what status.resolvedImage says (it may be an earlier
     * answer for the same reference while the annotation asks again); {@code reason} and {@code message} say
     * why it is not settled (Resolving, ResolveFailed), both null when it is.
     */
    public record Standing(ResolvedImage resolved, String reason, String message) {
        static Standing none() {
            return new Standing(null, null, null);
        }

        static Standing settled(ResolvedImage resolved) {
            return new Standing(resolved, null, null);
        }

        public boolean settled() {
            return reason == null;
        }
    }

    public static String taskName(WorkSeed seed, String reference, String request, int attempt) {
        return taskPrefix(seed, reference, request) + attempt;
    }

    private static String taskPrefix(WorkSeed seed, String reference, String request) {
        return "ws-" + seed.getMetadata().getUid() + "-resolve-" + Tasks.digest(reference + "\n" + request, 10) + "-";
    }

    /** The resolution of {@code seed}'s image, asking one of the {@code wanted} nodes if it must. */
    public Plan<Standing> decide(WorkSeed seed, List<WorkTask> tasks, List<NodeView> wanted, Instant now) {
        List<WorkTask> resolves = tasks.stream()
                .filter(t -> t.getSpec().type() == TaskType.ResolveImage)
                .toList();
        ImageSource image =
                seed.getSpec().source() == null ? null : seed.getSpec().source().image();
        if (image == null) {
            return Plan.report(Standing.none()).removingNow(resolves);
        }
        ResolvedImage before =
                seed.getStatus() == null ? null : seed.getStatus().resolvedImage();
        String reference = image.reference();
        if (ImageReference.parse(reference).pinned()) {
            ResolvedImage pinned = before != null && reference.equals(before.reference())
                    ? before
                    : ResolvedImage.pinned(reference, null);
            return Plan.report(Standing.settled(pinned)).removingNow(resolves);
        }
        String request = annotation(seed);
        ResolvedImage sameReference = before != null && reference.equals(before.reference()) ? before : null;
        if (sameReference != null && Objects.equals(request, before.request())) {
            return Plan.report(Standing.settled(before)).removingNow(resolves);
        }
        String prefix = taskPrefix(seed, reference, request);
        List<WorkTask> stale = resolves.stream()
                .filter(t -> !t.getMetadata().getName().startsWith(prefix))
                .toList();
        Optional<WorkTask> latest = resolves.stream()
                .filter(t -> t.getMetadata().getName().startsWith(prefix))
                .max(Comparator.comparingInt(ImageResolution::attempt));
        return ask(seed, image, request, sameReference, latest, wanted, now).removingNow(stale);
    }

    private Plan<Standing> ask(
            WorkSeed seed,
            ImageSource image,
            String request,
            ResolvedImage sameReference,
            Optional<WorkTask> latest,
            List<NodeView> wanted,
            Instant now) {
        String reference = image.reference();
        int next = 1;
        if (latest.isPresent()) {
            WorkTask task = latest.get();
            String node = task.getSpec().nodeName();
            if (Tasks.succeeded(task)) {
                ResolvedImage resolved = ResolvedImage.resolved(
                        reference,
                        task.getStatus().result().imageDigest(),
                        task.getStatus().finishedAt(),
                        node,
                        request);
                return Plan.report(Standing.settled(resolved)).removingAfterReport(task);
            }
            if (Tasks.failed(task)) {
                Retry retry = Retry.of(task, now);
                if (!retry.dueNow()) {
                    return Plan.report(new Standing(
                                    sameReference,
                                    SeedReasons.RESOLVE_FAILED,
                                    "cannot resolve " + reference + " on " + node + ": "
                                            + task.getStatus().message() + retry.says()))
                            .lookingAgainIn(retry.lookAgainIn());
                }
            } else if (wanted.stream().anyMatch(n -> n.alive() && n.name().equals(node))) {
                return Plan.report(new Standing(sameReference, "Resolving", "resolving " + reference + " on " + node));
            }
            // due for a retry, or its node's agent stopped: ask again, perhaps of another node
            next = Retry.nextAttempt(attempt(task));
        }
        Optional<NodeView> asked = wanted.stream().filter(NodeView::alive).findFirst();
        Plan<Standing> plan =
                latest.map(t -> Plan.<Standing>report(null).removingNow(t)).orElse(Plan.report(null));
        if (asked.isEmpty()) {
            return Plan.report(new Standing(
                            sameReference, "Resolving", "waiting for a ready node's agent to resolve " + reference))
                    .and(plan)
                    .lookingAgainIn(WAIT_FOR_NODE);
        }
        WorkTask task = Tasks.build(
                seed,
                taskNamespace,
                taskName(seed, reference, request, next),
                WorkTaskSpec.resolveImage(
                        asked.get().name(),
                        SeedPlanner.seedPath(seed),
                        image,
                        seed.getMetadata().getUid(),
                        next));
        return Plan.report(new Standing(
                        sameReference,
                        "Resolving",
                        "resolving " + reference + " on " + asked.get().name()))
                .and(plan)
                .creating(task);
    }

    private static String annotation(WorkSeed seed) {
        Map<String, String> annotations = seed.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(ANNOTATION);
    }

    /** The attempt a resolve task carries (1 for one written before attempts were counted). */
    private static int attempt(WorkTask task) {
        return task.getSpec().attempt() == null ? 1 : task.getSpec().attempt();
    }
}

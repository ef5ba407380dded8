package io.workdisk.operator.workseed;

import static io.workdisk.operator.Observed.BACKING_OFF;
import static io.workdisk.operator.Observed.GIB;
import static io.workdisk.operator.Observed.NOW;
import static io.workdisk.operator.Observed.alive;
import static io.workdisk.operator.Observed.down;
import static io.workdisk.operator.Observed.failedJustNow;
import static io.workdisk.operator.Observed.failedLongAgo;
import static io.workdisk.operator.Observed.names;
import static io.workdisk.operator.Observed.running;
import static io.workdisk.operator.Observed.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.Conditions;
import io.workdisk.api.task.BuildProgress;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.SeedOwnership;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.ResolvedImage;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.api.workseed.WorkSeedStatus;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Tasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A WorkSeed from a registry image: its tag resolved once, by one node's agent, and every node building
 * from the digest; pinned references need no resolving; what each node reports of the image.
 */
class ImageSeedPlannerTest {
    static final String NAMESPACE = "workdisk-system";
    static final String TAG = "registry.example:5000/base/debian:12";
    static final String NAME = "registry.example:5000/base/debian";
    static final String DIGEST = "sha256:" + "1".repeat(64);
    static final String NEWER = "sha256:" + "2".repeat(64);
    static final NodeView A = alive("a", 100 * GIB, Map.of());
    static final NodeView B = alive("b", 100 * GIB, Map.of());

    final SeedPlanner planner = new SeedPlanner(NAMESPACE);

    static WorkSeed seed(String reference, String annotation, WorkSeedStatus status) {
        WorkSeed s = new WorkSeed();
        ObjectMetaBuilder meta =
                new ObjectMetaBuilder().withName("s").withUid("seed-uid").withGeneration(1L);
        if (annotation != null) {
            meta.withAnnotations(Map.of(ImageResolution.ANNOTATION, annotation));
        }
        s.setMetadata(meta.build());
        s.setSpec(WorkSeedSpec.of(SeedSource.image(ImageSource.of(reference)), "/", null)
                .withOwnership(SeedOwnership.Preserve));
        s.setStatus(status);
        return s;
    }

    static WorkSeedStatus resolvedTo(String reference, String digest, String request, NodeSeedStatus... nodes) {
        return new WorkSeedStatus(
                List.of(nodes),
                0,
                2,
                "0/2",
                "image",
                ResolvedImage.resolved(reference, digest, NOW.minusSeconds(60).toString(), "a", request),
                null,
                List.of(),
                1L);
    }

    static WorkTask task(WorkSeed seed, String name, WorkTaskSpec spec, WorkTaskStatus status) {
        WorkTask t = Tasks.build(seed, NAMESPACE, name, spec);
        t.setStatus(status);
        return t;
    }

    static WorkTask resolveTask(WorkSeed seed, String node, int attempt, WorkTaskStatus status) {
        return task(
                seed,
                ImageResolution.taskName(seed, TAG, null, attempt),
                WorkTaskSpec.resolveImage(node, "seeds/s.ext4", ImageSource.of(TAG), "seed-uid", attempt),
                status);
    }

    Plan<WorkSeedStatus> plan(WorkSeed seed, List<NodeView> nodes, WorkTask... tasks) {
        return planner.plan(seed, List.of(tasks), nodes, NOW, false);
    }

    static Condition condition(Plan<WorkSeedStatus> plan, String type) {
        return Conditions.find(plan.status().conditions(), type);
    }

    static List<String> created(Plan<WorkSeedStatus> plan) {
        return plan.create().stream()
                .map(t -> t.getSpec().type() + "@" + t.getSpec().nodeName() + "#"
                        + t.getSpec().attempt())
                .toList();
    }

    @Test
    void aTagIsResolvedByOneReadyNodeWhileEveryNodeWaits() {
        Plan<WorkSeedStatus> plan = plan(seed(TAG, null, null), List.of(down("a"), B));

        assertThat(created(plan)).containsExactly("ResolveImage@b#1");
        assertThat(plan.create().get(0).getSpec().source().image()).isEqualTo(ImageSource.of(TAG));
        assertThat(plan.status().nodes())
                .extracting(n -> n.node() + "=" + n.phase() + ":" + n.sourceDigest())
                .containsExactly("a=Pending:null", "b=Pending:null");
        assertThat(condition(plan, "Ready").getReason()).isEqualTo("Resolving");
        assertThat(condition(plan, "ImageResolved").getMessage()).isEqualTo("resolving " + TAG + " on b");
        assertThat(plan.status().resolvedImage()).isNull();
    }

    @Test
    void theAnswerIsRecordedOnceAndEveryNodeBuildsFromTheSameDigest() {
        WorkSeed seed = seed(TAG, null, null);
        WorkTask resolved = resolveTask(seed, "a", 1, succeeded(TaskResult.resolved(DIGEST)));

        Plan<WorkSeedStatus> plan = plan(seed, List.of(A, B), resolved);

        assertThat(plan.status().resolvedImage())
                .isEqualTo(
                        ResolvedImage.resolved(TAG, DIGEST, NOW.minusSeconds(1).toString(), "a", null));
        assertThat(plan.status().resolvedImage().shortDigest()).isEqualTo("sha256:111111111111");
        assertThat(plan.status().source()).isEqualTo("image:" + NAME + "@sha256:111111111111");
        assertThat(names(plan.removeAfterReport()))
                .containsExactly(resolved.getMetadata().getName());
        assertThat(created(plan)).containsExactly("BuildSeed@a#1", "BuildSeed@b#1");
        assertThat(plan.create()).allSatisfy(t -> {
            assertThat(t.getSpec().source()).isEqualTo(SeedSource.image(ImageSource.of(NAME + "@" + DIGEST)));
            assertThat(t.getSpec().ownership()).isEqualTo(SeedOwnership.Preserve);
            assertThat(t.getSpec().subtree()).isEqualTo("/");
        });
        assertThat(condition(plan, "ImageResolved").getStatus()).isEqualTo("True");

        // the next reconcile reads the recorded answer: no resolving again
        Plan<WorkSeedStatus> next = plan(seed(TAG, null, plan.status()), List.of(A, B));
        assertThat(created(next)).containsExactly("BuildSeed@a#1", "BuildSeed@b#1");
        assertThat(next.status().resolvedImage()).isEqualTo(plan.status().resolvedImage());
    }

    @Test
    void aPinnedReferenceNeedsNoResolving() {
        String pinned = TAG + "@" + DIGEST;
        Plan<WorkSeedStatus> plan = plan(seed(pinned, null, null), List.of(A));

        assertThat(created(plan)).containsExactly("BuildSeed@a#1");
        assertThat(plan.create().get(0).getSpec().source().image().reference()).isEqualTo(NAME + "@" + DIGEST);
        assertThat(plan.status().resolvedImage()).isEqualTo(ResolvedImage.pinned(pinned, null));
        assertThat(plan.status().resolvedImage().resolvedAt()).isNull();
    }

    @Test
    void anArchiveOnTheNodesNeedsNoResolvingAndIsBuiltFromItsPath() {
        WorkSeed seed = seed(TAG, null, null);
        seed.setSpec(WorkSeedSpec.of(SeedSource.ociArchive("/images/debian.tar"), "/", null));

        Plan<WorkSeedStatus> plan = plan(seed, List.of(A, B));

        assertThat(created(plan)).containsExactly("BuildSeed@a#1", "BuildSeed@b#1");
        assertThat(plan.create())
                .allSatisfy(
                        t -> assertThat(t.getSpec().source()).isEqualTo(SeedSource.ociArchive("/images/debian.tar")));
        assertThat(plan.status().resolvedImage()).isNull();
        assertThat(plan.status().source()).isEqualTo("ociArchive:/images/debian.tar");
        assertThat(condition(plan, "ImageResolved")).as("nothing to resolve").isNull();
    }

    @Test
    void aNewDigestMeansADifferentSeedAndSoDoesOwnership() {
        WorkSeedSpec spec = seed(TAG, null, null).getSpec();
        String first = SeedDigest.of(spec, ResolvedImage.resolved(TAG, DIGEST, null, "a", null))
                .orElseThrow();
        assertThat(SeedDigest.of(spec, ResolvedImage.resolved(TAG, NEWER, null, "a", null)))
                .isPresent()
                .get()
                .isNotEqualTo(first);
        assertThat(SeedDigest.of(
                        spec.withOwnership(SeedOwnership.Root), ResolvedImage.resolved(TAG, DIGEST, null, "a", null)))
                .get()
                .isNotEqualTo(first);
        assertThat(SeedDigest.of(spec, ResolvedImage.resolved("other:1", DIGEST, null, "a", null)))
                .as("an answer for another reference answers nothing")
                .isEmpty();
        assertThat(SeedDigest.of(WorkSeedSpec.of(SeedSource.hostPath("/images/rootfs.ext4"), null, null), null))
                .as("what an ext4 source was before images existed: no rebuild on upgrade")
                .contains(Tasks.digest("hostPath:/images/rootfs.ext4\n/root", 12));
    }

    @Test
    void theAnnotationResolvesAgainWhileTheNodesKeepWhatTheyHave() {
        String digestBefore = SeedDigest.of(
                        seed(TAG, null, null).getSpec(), ResolvedImage.resolved(TAG, DIGEST, null, "a", null))
                .orElseThrow();
        NodeSeedStatus readyOnA = NodeSeedStatus.ready(
                "a",
                TaskResult.seed("/d/seeds/s.ext4", GIB, "seed-fs-uuid", 1L, 1, 0)
                        .withImageDigest(DIGEST),
                null,
                digestBefore,
                1);
        WorkSeed seed = seed(TAG, "2026-11-25T10:00:00Z", resolvedTo(TAG, DIGEST, null, readyOnA));

        Plan<WorkSeedStatus> plan = plan(seed, List.of(A));

        assertThat(created(plan)).containsExactly("ResolveImage@a#1");
        assertThat(plan.create().get(0).getMetadata().getName())
                .isEqualTo(ImageResolution.taskName(seed, TAG, "2026-11-25T10:00:00Z", 1));
        assertThat(plan.status().nodes()).extracting(NodeSeedStatus::phase).containsExactly(SeedPhase.Ready);
        assertThat(condition(plan, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(plan, "ImageResolved").getReason()).isEqualTo("Resolving");

        // the tag moved: the node builds the new digest
        WorkTask answer = task(
                seed,
                ImageResolution.taskName(seed, TAG, "2026-11-25T10:00:00Z", 1),
                WorkTaskSpec.resolveImage("a", "seeds/s.ext4", ImageSource.of(TAG), "seed-uid", 1),
                succeeded(TaskResult.resolved(NEWER)));
        Plan<WorkSeedStatus> moved = plan(seed, List.of(A), answer);
        assertThat(moved.status().resolvedImage().digest()).isEqualTo(NEWER);
        assertThat(moved.status().resolvedImage().request()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(created(moved)).containsExactly("BuildSeed@a#1");
        assertThat(moved.create().get(0).getSpec().source().image().reference()).isEqualTo(NAME + "@" + NEWER);
    }

    @Test
    void aChangedReferenceIsResolvedAndTheNodesWaitForIt() {
        WorkSeed seed = seed("registry.example:5000/base/debian:13", null, resolvedTo(TAG, DIGEST, null));

        Plan<WorkSeedStatus> plan = plan(seed, List.of(A));

        assertThat(created(plan)).containsExactly("ResolveImage@a#1");
        assertThat(plan.status().nodes()).extracting(NodeSeedStatus::phase).containsExactly(SeedPhase.Pending);
        assertThat(plan.status().resolvedImage()).isNull();
    }

    @Test
    void aFailedResolutionBacksOffThenIsAskedAgain() {
        WorkSeed seed = seed(TAG, null, null);
        Plan<WorkSeedStatus> waiting =
                plan(seed, List.of(A), resolveTask(seed, "a", 1, failedJustNow("SOURCE_UNAVAILABLE")));
        assertThat(waiting.create()).isEmpty();
        assertThat(waiting.lookAgainIn()).contains(BACKING_OFF);
        assertThat(condition(waiting, "Ready").getReason()).isEqualTo("ResolveFailed");
        assertThat(condition(waiting, "Ready").getMessage())
                .isEqualTo("cannot resolve " + TAG + " on a: it broke; retrying in 4s");

        WorkTask longAgo = resolveTask(seed, "a", 1, failedLongAgo("SOURCE_UNAVAILABLE"));
        Plan<WorkSeedStatus> again = plan(seed, List.of(A), longAgo);
        assertThat(names(again.removeNow()))
                .containsExactly(longAgo.getMetadata().getName());
        assertThat(created(again)).containsExactly("ResolveImage@a#2");
    }

    @Test
    void aResolutionWhoseNodeStoppedIsAskedOfAnother() {
        WorkSeed seed = seed(TAG, null, null);
        WorkTask stuck = resolveTask(seed, "a", 1, running());

        Plan<WorkSeedStatus> plan = plan(seed, List.of(down("a"), B), stuck);

        assertThat(names(plan.removeNow())).containsExactly(stuck.getMetadata().getName());
        assertThat(created(plan)).containsExactly("ResolveImage@b#2");
        assertThat(plan(seed, List.of(A, B), stuck).create())
                .as("one whose node is alive is waited for")
                .isEmpty();
    }

    @Test
    void whatTheAgentsReportOfTheImageIsShownPerNodeAndInOneLine() {
        WorkSeed seed = seed(TAG, null, resolvedTo(TAG, DIGEST, null));
        String digest = SeedDigest.of(seed).orElseThrow();
        SeedSource pinned = SeedSource.image(ImageSource.of(NAME + "@" + DIGEST));
        WorkTask onA = task(
                seed,
                SeedPlanner.buildTaskName(seed, "a", digest),
                WorkTaskSpec.buildSeed("a", "seeds/s.ext4", pinned, "/", SeedOwnership.Preserve, "seed-uid", 1),
                running().withProgress(BuildProgress.of(1024, 2048, 5)));
        WorkTask onB = task(
                seed,
                SeedPlanner.buildTaskName(seed, "b", digest),
                WorkTaskSpec.buildSeed("b", "seeds/s.ext4", pinned, "/", SeedOwnership.Preserve, "seed-uid", 1),
                succeeded(TaskResult.seed("/d/seeds/s.ext4", GIB, "uuid", 10, 2, 0)
                        .withImageDigest("sha256:" + "3".repeat(64))));

        Plan<WorkSeedStatus> plan = plan(seed, List.of(A, B), onA, onB);

        List<String> shown = new ArrayList<>();
        for (NodeSeedStatus n : plan.status().nodes()) {
            shown.add(n.node() + "=" + n.phase() + " " + n.imageDigest() + " "
                    + Optional.ofNullable(n.progress())
                            .map(BuildProgress::describe)
                            .orElse("-"));
        }
        assertThat(shown)
                .containsExactly("a=Building null 1Ki/2Ki, 5 entries", "b=Ready sha256:" + "3".repeat(64) + " -");
        assertThat(plan.status().progress()).isEqualTo("a 1Ki/2Ki, 5 entries");
        assertThat(plan.create()).isEmpty();
    }
}

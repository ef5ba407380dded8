package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeFixture;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent, a process of its own, killed with SIGKILL fifty times in the middle of its work (format,
 * materialize, build-seed and resize in turn; as a task starts, while its first tool runs, or while a
 * later one does, each step meeting each moment in turn) and started again each time. After every kill:
 * no partial image at a final path and every Ready disk still there with its own filesystem; after every
 * restart the interrupted object becomes Ready.
 */
@ExtendWith(SharedApiServer.class)
class AgentKillTest {
    /** 50; fewer with -Dworkdisk.killTrials=N (a multiple of four), to try a change to the test quickly. */
    static final int TRIALS = Integer.getInteger("workdisk.killTrials", 50);

    enum Step {
        Format,
        Materialize,
        BuildSeed,
        Resize
    }

    enum When {
        AsTheTaskStarts,
        InTheFirstTool,
        InALaterTool
    }

    /** What a Ready disk is: a path holding a filesystem with this UUID, at least this big. */
    record Made(Path path, UUID uuid, long bytes) {}

    @TempDir
    Path tmp;

    final Map<String, Made> ready = new LinkedHashMap<>();
    final Map<Path, Object> verified = new HashMap<>();

    @Test
    void fiftyKillsMidWorkLoseNothingAndEverythingBecomesReady(RealApiServer api) throws Exception {
        long seed = Long.getLong("workdisk.killSeed", System.nanoTime());
        System.out.println("agent kills: seed " + seed + " (-Dworkdisk.killSeed to repeat the same choices)");
        Random random = new Random(seed);
        int whenOffset = random.nextInt(When.values().length);
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path tree = Files.createDirectories(tmp.resolve("rootfs-tree"));
        TreeFixture.create(tree.resolve("root"));
        for (int i = 0; i < 1500; i++) { // enough entries that a seed build takes a while to kill
            Files.writeString(
                    Files.createDirectories(tree.resolve("root/many/d" + i / 100))
                            .resolve("f" + i),
                    "x" + i);
        }
        Path rootfs = Rootfs.make(tree, images.resolve("rootfs.ext4"));
        Path dataRoot = tmp.resolve("node-a");

        try (ProcessCluster cluster = new ProcessCluster(tmp.resolve("run"), api)) {
            KubernetesClient kube = cluster.client();
            // Running before every step, so that the kill can land as a step starts (by default only long steps show
            // it)
            cluster.addNode(
                    new ProcessCluster.Node("node-a", dataRoot, List.of(images), 2).reportingEveryStepRunning());
            cluster.startOperator("--no-leader-election", "--node-grace", "30");
            kube.resource(Manifests.seed("base", rootfs)).create();
            Waits.seedReady(kube, "base");

            Map<Step, Integer> interruptedPerStep = new EnumMap<>(Step.class);
            int interrupted = 0;
            List<String> trials = new ArrayList<>();
            for (int i = 0; i < TRIALS; i++) {
                Step step = Step.values()[i % 4];
                // each step meets every moment in turn, from a start the seed picks: a step never goes without the
                // kill as its task starts, the one that catches even a short step (a resize)
                When when = When.values()[(i / 4 + whenOffset) % When.values().length];
                String name = step.name().toLowerCase() + "-" + i;
                String uid;
                String resized = null;
                switch (step) {
                    case Format ->
                        uid = kube.resource(Manifests.disk("default", name, WorkDiskSpec.ofSize("2Gi")))
                                .create()
                                .getMetadata()
                                .getUid();
                    case Materialize ->
                        uid = kube.resource(Manifests.seeded(name, "2Gi", "base"))
                                .create()
                                .getMetadata()
                                .getUid();
                    case BuildSeed ->
                        uid = kube.resource(Manifests.seed(name, rootfs))
                                .create()
                                .getMetadata()
                                .getUid();
                    default -> {
                        resized = (i / 4) % 2 == 0 ? "format-" + (i - 3) : "materialize-" + (i - 2);
                        WorkDisk d = kube.resources(WorkDisk.class)
                                .inNamespace("default")
                                .withName(resized)
                                .edit(w -> {
                                    w.setSpec(w.getSpec().withSize("3Gi"));
                                    return w;
                                });
                        uid = d.getMetadata().getUid();
                    }
                }
                WorkTask task = killWhen(cluster, kube, uid, TaskType.valueOf(step.name()), when);
                boolean wasRunning = task != null
                        && task.getStatus() != null
                        && task.getStatus().phase() == TaskPhase.Running;
                interrupted += wasRunning ? 1 : 0;
                interruptedPerStep.merge(step, wasRunning ? 1 : 0, Integer::sum);
                trials.add(i + " " + step + " " + when + (wasRunning ? " interrupted" : " after it finished"));

                String why = "trial " + i + " (" + step + ", killed " + when + ", seed " + seed + ")";
                assertNothingLostOrPartial(dataRoot, resized, why);

                cluster.startAgent("node-a");
                try {
                    recovered(kube, step, name, resized, why);
                } catch (ConditionTimeoutException | AssertionError e) {
                    throw new AssertionError(
                            why + ": did not recover after the restart: " + e.getMessage() + "\n" + cluster.logs(), e);
                }
            }

            System.out.printf(
                    "agent kills (seed %d): %d of %d landed while the step ran%n%s%n",
                    seed, interrupted, TRIALS, String.join("\n", trials));
            // Each step gets TRIALS / 4 kills by construction; what can fail is how many of them landed while the
            // step ran, which is what a kill test of that step is for (on a loaded two-core machine: 8 to 12 of 12).
            assertThat(interruptedPerStep)
                    .as("kills that landed while each step ran:\n%s", String.join("\n", trials))
                    .containsOnlyKeys(Step.values())
                    .allSatisfy(
                            (step, n) -> assertThat(n).as("%s", step).isGreaterThanOrEqualTo(Math.max(1, TRIALS / 16)));
            assertThat(interrupted)
                    .as("kills that landed while the step ran:\n%s", String.join("\n", trials))
                    .isGreaterThanOrEqualTo(TRIALS / 2);
            assertNothingLostOrPartial(dataRoot, null, "the end");
            assertThat(ProcessCluster.leftovers(dataRoot))
                    .as("no staging, undo or partial files remain")
                    .isEmpty();
            assertThat(ProcessCluster.diskImages(dataRoot))
                    .as("one image per WorkDisk, none made twice")
                    .isEqualTo(kube.resources(WorkDisk.class)
                            .inAnyNamespace()
                            .list()
                            .getItems()
                            .size());
            for (Made made : ready.values()) {
                Shell.assertFsckClean(made.path());
            }
        }
    }

    /** Waits until the trial's object is Ready again and records what a Ready disk now is. */
    void recovered(KubernetesClient kube, Step step, String name, String resized, String why) {
        if (step == Step.BuildSeed) {
            Waits.seedReady(kube, name);
            return;
        }
        String disk = resized != null ? resized : name;
        WorkDisk done = await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> kube.resources(WorkDisk.class)
                                .inNamespace("default")
                                .withName(disk)
                                .get(),
                        d -> d.getStatus() != null
                                && d.getStatus().phase() == DiskPhase.Ready
                                && d.getStatus().capacityBytes() == (step == Step.Resize ? 3L << 30 : 2L << 30));
        Made made = new Made(
                Path.of(done.getStatus().path()),
                UUID.fromString(done.getStatus().filesystemUUID()),
                done.getStatus().capacityBytes());
        if (resized != null) {
            assertThat(made.uuid())
                    .as("%s: grown, not remade", why)
                    .isEqualTo(ready.get(resized).uuid());
            verified.remove(made.path());
        }
        ready.put(disk, made);
    }

    /**
     * Waits for the moment and kills the agent; the step's task as it was at the kill, if it had one. As the task
     * starts, the kill comes from a watch the moment the task says Running, sooner than a poll of the API and the
     * process table would see it on a busy machine.
     */
    WorkTask killWhen(ProcessCluster cluster, KubernetesClient kube, String uid, TaskType type, When when)
            throws Exception {
        Set<String> tools = new HashSet<>();
        long agentPid = cluster.agent("node-a").pid();
        AtomicBoolean killedAsItStarted = new AtomicBoolean();
        Watch startWatch = when != When.AsTheTaskStarts
                ? null
                : kube.resources(WorkTask.class)
                        .inAnyNamespace()
                        .withLabel(ApiGroup.OWNER_UID_LABEL, uid)
                        .watch(Watchers.<WorkTask>anyChange(t -> {
                            if (t.getSpec().type() == type
                                    && t.getStatus() != null
                                    && t.getStatus().phase() == TaskPhase.Running
                                    && killedAsItStarted.compareAndSet(false, true)) {
                                // the agent and its tools at once, as killAgent does (a tool left running would
                                // go on changing the disk after the kill)
                                ProcessHandle.of(agentPid)
                                        .ifPresent(agent -> Stream.concat(Stream.of(agent), agent.descendants())
                                                .toList()
                                                .forEach(ProcessHandle::destroyForcibly));
                            }
                        }));
        try {
            WorkTask[] last = new WorkTask[1];
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> {
                        if (killedAsItStarted.get()) {
                            return true;
                        }
                        ProcessHandle.of(agentPid)
                                .ifPresent(h -> h.descendants()
                                        .forEach(d -> tools.add(
                                                d.pid() + d.info().command().orElse("?"))));
                        last[0] = task(kube, uid, type);
                        TaskPhase phase = last[0] == null || last[0].getStatus() == null
                                ? null
                                : last[0].getStatus().phase();
                        if (phase != null && phase.finished()) {
                            return true; // too quick to catch this time: the kill lands after it
                        }
                        return switch (when) {
                            case AsTheTaskStarts -> phase == TaskPhase.Running;
                            case InTheFirstTool -> !tools.isEmpty();
                            case InALaterTool -> tools.size() >= 2;
                        };
                    });
        } finally {
            if (startWatch != null) {
                startWatch.close();
            }
        }
        cluster.killAgent("node-a");
        return task(kube, uid, type);
    }

    /**
     * The task of this step the operator made for the object, if any. By its type: a grown disk also keeps the
     * Succeeded task that made it, which listed after the resize task (names are hashes) had every kill of a
     * resize counted as landing after it finished.
     */
    static WorkTask task(KubernetesClient kube, String uid, TaskType type) {
        return kube
                .resources(WorkTask.class)
                .inAnyNamespace()
                .withLabel(ApiGroup.OWNER_UID_LABEL, uid)
                .list()
                .getItems()
                .stream()
                .filter(t -> t.getSpec().type() == type)
                .reduce((a, b) -> b)
                .orElse(null);
    }

    /**
     * Every image at a final path is whole (e2fsck -fn clean; checked again only when the file changed) and
     * every Ready disk still holds its own filesystem. The disk being grown is left out until its rollback.
     */
    void assertNothingLostOrPartial(Path dataRoot, String beingResized, String why) throws Exception {
        Path skip = beingResized == null ? null : ready.get(beingResized).path();
        for (Map.Entry<String, Made> e : ready.entrySet()) {
            if (e.getValue().path().equals(skip)) {
                continue;
            }
            assertThat(e.getValue().path())
                    .as("%s: Ready disk %s", why, e.getKey())
                    .exists();
            var sb = Ext4Image.readSuperblock(e.getValue().path());
            assertThat(sb.uuid())
                    .as("%s: Ready disk %s never reformatted", why, e.getKey())
                    .isEqualTo(e.getValue().uuid());
            assertThat(sb.sizeBytes())
                    .as("%s: %s", why, e.getKey())
                    .isGreaterThanOrEqualTo(e.getValue().bytes());
        }
        for (String dir : List.of("disks", "seeds")) {
            try (Stream<Path> files = Files.list(dataRoot.resolve(dir))) {
                for (Path p : files.filter(f -> !f.getFileName().toString().startsWith(".") && !f.equals(skip))
                        .toList()) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    Object stamp = List.of(a.fileKey(), a.lastModifiedTime(), a.size());
                    if (!stamp.equals(verified.get(p))) {
                        Shell.Result fsck = Shell.run(List.of("e2fsck", "-fn", p.toString()));
                        assertThat(fsck.exitCode())
                                .as("%s: %s is a whole filesystem:\n%s", why, p, fsck.stdout())
                                .isZero();
                        verified.put(p, stamp);
                    }
                }
            }
        }
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node runs at most --concurrency tasks at once, and a namespace that asks for many disks does not make
 * another namespace wait for all of them: the node's workers take turns between namespaces.
 */
@ExtendWith(SharedApiServer.class)
class TaskFairnessTest {
    static final int FLOOD = 24;
    static final int SMALL = 3;

    @TempDir
    Path tmp;

    @Test
    void aFloodingNamespaceDoesNotStarveAnotherAndConcurrencyIsBounded(RealApiServer api) throws Exception {
        // formatting is made slow (a second each), so the flood is still queued when the others ask and the
        // operator's few writes for the small namespace take less than one format
        Path tools =
                JavaProcess.toolsDirWith(tmp.resolve("slow-tools"), "mkfs.ext4", "sleep 1\nexec \"$REAL\" \"$@\"\n");
        try (LocalCluster cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings(
                        "workdisk-system", 1.0, Duration.ofSeconds(30), Duration.ofSeconds(30), 4),
                Clock.systemUTC())) {
            KubernetesClient kube = cluster.client();
            api.ensureNamespace("flood");
            api.ensureNamespace("small");
            cluster.startAgent(
                    // every step reported Running as it starts: the order of starts is what is measured
                    new NodeAgent.Settings("node-a", tmp.resolve("node-a"), List.of(), null, 2, Duration.ofSeconds(1))
                            .withReportRunningAfter(Duration.ZERO),
                    new E2fsTools(List.of(tools), Duration.ofMinutes(1)));
            cluster.startOperator();

            List<String> starts = Collections.synchronizedList(new ArrayList<>());
            Set<String> running = ConcurrentHashMap.newKeySet();
            Set<String> floodTasks = ConcurrentHashMap.newKeySet();
            // for each small-namespace task: how many tasks had started when it appeared, and when it started
            Map<String, Integer> startsWhenSeen = new ConcurrentHashMap<>();
            Map<String, Integer> startsWhenStarted = new ConcurrentHashMap<>();
            AtomicInteger mostAtOnce = new AtomicInteger();
            try (Watch watch = kube.resources(WorkTask.class).inAnyNamespace().watch(Watchers.anyChange(t -> {
                String key =
                        t.getMetadata().getNamespace() + "/" + t.getMetadata().getName();
                if (t.getMetadata().getNamespace().equals("flood")) {
                    floodTasks.add(key);
                } else {
                    startsWhenSeen.putIfAbsent(key, starts.size());
                }
                TaskPhase phase = t.getStatus() == null ? null : t.getStatus().phase();
                if (phase == TaskPhase.Running && running.add(key)) {
                    starts.add(t.getMetadata().getNamespace());
                    if (!t.getMetadata().getNamespace().equals("flood")) {
                        startsWhenStarted.put(key, starts.size() - 1);
                    }
                    mostAtOnce.accumulateAndGet(running.size(), Math::max);
                } else if (phase != null && phase.finished()) {
                    running.remove(key);
                }
            }))) {
                for (int i = 0; i < FLOOD; i++) {
                    kube.resource(Manifests.disk("flood", "f" + i, WorkDiskSpec.ofSize("128Mi")))
                            .create();
                }
                // every flood task is queued on the agent before the others ask
                await().atMost(Duration.ofSeconds(60)).until(() -> starts.size() >= 2 && floodTasks.size() == FLOOD);
                for (int i = 0; i < SMALL; i++) {
                    kube.resource(Manifests.disk("small", "s" + i, WorkDiskSpec.ofSize("128Mi")))
                            .create();
                }
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> kube.resources(WorkDisk.class).inAnyNamespace().list().getItems().stream()
                                        .filter(d -> d.getStatus() != null
                                                && d.getStatus().phase() == DiskPhase.Ready)
                                        .count()
                                == FLOOD + SMALL);
            }
            int lastSmall = starts.lastIndexOf("small");
            int floodBeforeIt = (int) starts.subList(0, lastSmall).stream()
                    .filter("flood"::equals)
                    .count();
            // the agent's own share: flood tasks it started while a small one was already waiting on it
            int overtaken = startsWhenStarted.entrySet().stream()
                    .mapToInt(e -> (int) starts.subList(startsWhenSeen.get(e.getKey()), e.getValue()).stream()
                            .filter("flood"::equals)
                            .count())
                    .max()
                    .orElseThrow();
            System.out.printf(
                    "fairness: the last of %d small-namespace tasks started after %d of %d flood tasks; "
                            + "a waiting small task was overtaken by at most %d; at most %d at once%n",
                    SMALL, floodBeforeIt, FLOOD, overtaken, mostAtOnce.get());
            assertThat(startsWhenStarted).as("every small task started").hasSize(SMALL);
            // FIFO would start every flood task queued ahead (over a dozen); turn-taking a few, the watch's view
            // of "appeared" and "started" being a little behind the agent's
            assertThat(overtaken)
                    .as("flood tasks the agent started while a small one waited")
                    .isLessThan(FLOOD / 4);
            assertThat(floodBeforeIt)
                    .as("flood tasks started before the last small one (order %s)", starts)
                    .isLessThan(FLOOD / 2);
            assertThat(mostAtOnce.get())
                    .as("tasks running at once on a node with --concurrency 2")
                    .isEqualTo(2);
        }
    }
}

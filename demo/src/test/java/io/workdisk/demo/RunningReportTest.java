package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.workdisk.DiskPlanner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent marks a task Running only when its step is still running after --report-running-after: a long step
 * shows it while it runs, a short one costs no write for it. The step is made long (mkfs sleeps three seconds
 * first) so that which side of the line it falls does not depend on the machine's speed.
 */
@ExtendWith(SharedApiServer.class)
class RunningReportTest {
    @TempDir
    Path tmp;

    @Test
    void aStepStillRunningAfterTheThresholdIsMarkedRunningBeforeItSucceeds(RealApiServer api) throws Exception {
        assertThat(phasesOfTheCreateTask(api, Duration.ofMillis(300)))
                .containsSubsequence(TaskPhase.Running, TaskPhase.Succeeded)
                .endsWith(TaskPhase.Succeeded);
    }

    @Test
    void aStepThatEndsBeforeTheThresholdIsNeverMarkedRunning(RealApiServer api) throws Exception {
        assertThat(phasesOfTheCreateTask(api, Duration.ofHours(1)))
                .doesNotContain(TaskPhase.Running)
                .endsWith(TaskPhase.Succeeded);
    }

    /** Every phase a watch saw the disk's create task in (null: no status yet), until the disk was Ready. */
    private List<TaskPhase> phasesOfTheCreateTask(RealApiServer api, Duration reportRunningAfter) throws Exception {
        Path tools =
                JavaProcess.toolsDirWith(tmp.resolve("slow-tools"), "mkfs.ext4", "sleep 3\nexec \"$REAL\" \"$@\"\n");
        try (LocalCluster cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings(
                        "workdisk-system", 1.0, Duration.ofSeconds(30), Duration.ofSeconds(30), 4),
                Clock.systemUTC())) {
            KubernetesClient kube = cluster.client();
            cluster.startAgent(
                    new NodeAgent.Settings("node-a", tmp.resolve("node-a"), List.of(), null, 1, Duration.ofSeconds(1))
                            .withReportRunningAfter(reportRunningAfter),
                    new E2fsTools(List.of(tools), Duration.ofMinutes(1)));
            cluster.startOperator();
            List<TaskPhase> phases = new CopyOnWriteArrayList<>();
            try (Watch watch = kube.resources(WorkTask.class)
                    .inNamespace("default")
                    .watch(Watchers.anyChange(t -> phases.add(
                            t.getStatus() == null ? null : t.getStatus().phase())))) {
                var disk = kube.resource(Manifests.disk("slow", "128Mi")).create();
                Waits.phase(kube, "slow", DiskPhase.Ready);
                assertThat(kube.resources(WorkTask.class)
                                .inNamespace("default")
                                .withName(DiskPlanner.createTaskName(disk))
                                .get()
                                .getStatus()
                                .phase())
                        .isEqualTo(TaskPhase.Succeeded);
            }
            return phases;
        }
    }
}

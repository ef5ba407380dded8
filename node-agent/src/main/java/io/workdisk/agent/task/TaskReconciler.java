package io.workdisk.agent.task;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.util.Objects;

/**
 * Hands this node's unfinished tasks to its workers. The agent is registered with a label selector for
 * its own node, so it never sees another node's tasks; a task whose status already records a finished
 * run of its current spec is left alone, so a replay (restart, resync) does nothing. The work itself
 * happens on the workers, which bound how much runs at once and take turns between namespaces.
 */
@ControllerConfiguration(name = "worktask-agent")
public final class TaskReconciler implements Reconciler<WorkTask> {
    private final String nodeName;
    private final TaskWorkers workers;

    public TaskReconciler(String nodeName, TaskWorkers workers) {
        this.nodeName = nodeName;
        this.workers = workers;
    }

    @Override
    public UpdateControl<WorkTask> reconcile(WorkTask task, Context<WorkTask> context) {
        if (!alreadyDone(task) && nodeName.equals(task.getSpec().nodeName())) {
            workers.submit(task);
        }
        return UpdateControl.noUpdate();
    }

    private static boolean alreadyDone(WorkTask task) {
        WorkTaskStatus s = task.getStatus();
        return s != null && s.finished() && Objects.equals(s.observedGeneration(), task.getMetadata().getGeneration());
    }
}

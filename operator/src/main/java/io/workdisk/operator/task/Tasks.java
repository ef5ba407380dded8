package io.workdisk.operator.task;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes and removes tasks. Names are derived from the owner's UID and the step, so creating a task
 * twice (after an operator restart or a lost update) finds the first one instead of making a second.
 * Finished tasks are removed explicitly once their result is recorded, except a disk's create task, kept as
 * the record of the work until the disk is deleted; garbage collection by owner reference is only a backstop.
 */
public final class Tasks {
    private final KubernetesClient client;

    public Tasks(KubernetesClient client) {
        this.client = client;
    }

    public static WorkTask build(HasMetadata owner, String namespace, String name, WorkTaskSpec spec) {
        WorkTask task = new WorkTask();
        task.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(Map.of(
                        ApiGroup.NODE_LABEL,
                        spec.nodeName(),
                        ApiGroup.OWNER_UID_LABEL,
                        owner.getMetadata().getUid(),
                        ApiGroup.OWNER_KIND_LABEL,
                        owner.getKind()))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(owner.getApiVersion())
                        .withKind(owner.getKind())
                        .withName(owner.getMetadata().getName())
                        .withUid(owner.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(false)
                        .build())
                .build());
        task.setSpec(spec);
        return task;
    }

    /**
     * Creates the task unless one of that name exists already. Only a 409 whose reason is AlreadyExists says
     * so: any other refusal leaves no task, and is thrown for the reconcile's retry, since the status that
     * says the step is under way was written first and no event would bring the disk back.
     */
    public void ensure(WorkTask task, Consumer<WorkTask> made) {
        try {
            made.accept(client.resource(task).create());
        } catch (KubernetesClientException e) {
            if (!alreadyExists(e)) {
                throw e;
            }
        }
    }

    private static boolean alreadyExists(KubernetesClientException e) {
        return e.getCode() == HttpURLConnection.HTTP_CONFLICT
                && e.getStatus() != null
                && "AlreadyExists".equals(e.getStatus().getReason());
    }

    public void delete(WorkTask task) {
        client.resource(task).withGracePeriod(0).delete();
    }

    /**
     * Carries a plan out in the one safe order: drop superseded tasks, report the status, write new tasks,
     * and only then drop the tasks whose results that status records. The status goes before the new tasks so
     * that what was decided (a disk's node above all) is shown a write sooner; a crash between the two leaves
     * a status the next reconcile computes again, and it writes the task then: the status is never a to-do list.
     * Each task made is handed to {@code made}, for the owner's informer to hold at once: a reconcile that runs
     * before the watch shows the task would otherwise ask for it again.
     */
    public void carryOut(Plan<?> plan, Runnable report, Consumer<WorkTask> made) {
        plan.removeNow().forEach(this::delete);
        report.run();
        plan.create().forEach(t -> ensure(t, made));
        plan.removeAfterReport().forEach(this::delete);
    }

    public static boolean succeeded(WorkTask t) {
        return t.getStatus() != null && t.getStatus().phase() == TaskPhase.Succeeded;
    }

    public static boolean failed(WorkTask t) {
        return t.getStatus() != null && t.getStatus().phase() == TaskPhase.Failed;
    }

    /** A short stable digest for names and labels. */
    public static String digest(String text, int hexChars) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, hexChars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}

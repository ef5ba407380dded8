package io.workdisk.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Someone else gets in first, once per object: just before a component's first write of an object goes
 * out, another writer changes that object, so the component's write, which carries the resourceVersion
 * it read, conflicts (409) and the component must read the object again. Those re-reads use verbs the
 * chart grants that a run without contention may never reach. An interceptor on the component's client.
 */
final class RivalWrites implements Interceptor {
    private static final String GROUP_PATH = "/apis/workdisk.io/v1alpha1/";
    private static final String ANNOTATION = "test.workdisk.io/rival";

    private final String method;
    private final Pattern path;
    private final Consumer<Matcher> rival;
    private final Set<String> met = ConcurrentHashMap.newKeySet();

    private RivalWrites(String method, String path, Consumer<Matcher> rival) {
        this.method = method;
        this.path = Pattern.compile(GROUP_PATH + path);
        this.rival = rival;
    }

    /**
     * For the operator: before its first patch of each WorkDisk and WorkSeed (the finalizer: the reconciler adds a disk's, JOSDK a seed's),
     * {@code user} annotates the object, as kubectl or a GitOps tool might.
     */
    static RivalWrites beforeFinalizerPatches(KubernetesClient user) {
        String annotate = "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":\"first\"}}}";
        return new RivalWrites("PATCH", "(?:namespaces/([^/]+)/workdisks|workseeds)/([^/]+)", m -> {
            var patch = PatchContext.of(PatchType.JSON_MERGE);
            if (m.group(1) != null) {
                user.resources(WorkDisk.class)
                        .inNamespace(m.group(1))
                        .withName(m.group(2))
                        .patch(patch, annotate);
            } else {
                user.resources(WorkSeed.class).withName(m.group(2)).patch(patch, annotate);
            }
        });
    }

    /**
     * For an agent: before its first status write of each task, {@code otherCopy}, another copy of the same
     * node's agent (as during a DaemonSet rollout), records the task as Pending. {@code reader} reads the
     * task for it, so the rival needs no verb of the agent's but the status write.
     */
    static RivalWrites beforeTaskStatusWrites(KubernetesClient reader, KubernetesClient otherCopy) {
        return new RivalWrites("PUT", "namespaces/([^/]+)/worktasks/([^/]+)/status", m -> {
            WorkTask task = reader.resources(WorkTask.class)
                    .inNamespace(m.group(1))
                    .withName(m.group(2))
                    .get();
            if (task != null) {
                task.setStatus(new WorkTaskStatus(
                        TaskPhase.Pending,
                        null,
                        "another copy of this node's agent wrote first",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
                otherCopy.resource(task).updateStatus();
            }
        });
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (request.method().equals(method)) {
            Matcher m = path.matcher(request.uri().getPath());
            if (m.matches() && met.add(request.uri().getPath())) {
                try {
                    rival.accept(m);
                } catch (KubernetesClientException e) {
                    // the rival lost (refused, or the object is gone): the component's write goes out unopposed
                }
            }
        }
    }
}

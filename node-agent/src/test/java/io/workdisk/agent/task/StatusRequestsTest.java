package io.workdisk.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.javaoperatorsdk.operator.processing.event.EventHandler;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.workdisk.api.task.BuildProgress;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's status reaches the task's reconcile (here: whoever handles the wake-up event, as JOSDK's
 * event processor would) and the worker hears back; a deleted task, which is never reconciled again,
 * does not keep a worker waiting out its patience.
 */
@Timeout(60) // a guard against a hang, not a measurement: patience below is an hour
class StatusRequestsTest {
    final Map<ResourceID, WorkTask> cache = new ConcurrentHashMap<>();
    final StatusRequests requests = new StatusRequests(Duration.ofHours(1));

    static WorkTask task(String uid) {
        WorkTask t = new WorkTask();
        t.setMetadata(new ObjectMetaBuilder()
                .withNamespace("ns")
                .withName("t")
                .withUid(uid)
                .withGeneration(1L)
                .build());
        return t;
    }

    /** The event source as the SDK runs it: started, its events handled by {@code handler}. */
    void wakeUps(EventHandler handler) {
        var source = (SimpleInboundEventSource<WorkTask>) requests.eventSource(new MapCache(cache));
        source.setEventHandler(handler);
        source.start();
    }

    @Test
    void theReconcileThatTheEventWakesWritesTheStatusAndTheWorkerGetsTheTaskAsWritten() throws Exception {
        WorkTask task = task("uid-1");
        cache.put(ResourceID.fromResource(task), task);
        WorkTask asWritten = task("uid-1");
        wakeUps(event -> {
            WorkTask seen = cache.get(event.getRelatedCustomResourceID());
            var request = requests.pendingFor(seen).orElseThrow();
            asWritten.setStatus(request.status());
            request.written().complete(Optional.of(asWritten));
        });

        WorkTaskStatus running = WorkTaskStatus.running("2026-11-25T16:27:40Z", 1L);
        assertThat(requests.write(task, running)).containsSame(asWritten);
        assertThat(asWritten.getStatus()).isEqualTo(running);
        assertThat(requests.pendingFor(task)).as("forgotten once answered").isEmpty();
    }

    @Test
    void aTaskDeletedOrReplacedMeanwhileEndsTheWaitWithNothingWritten() throws Exception {
        WorkTask task = task("uid-1");
        wakeUps(event -> {
            // deleted and made again under the same name before the reconcile ran: another task
            WorkTask other = task("uid-2");
            cache.put(event.getRelatedCustomResourceID(), other);
            assertThat(requests.pendingFor(other))
                    .as("a request is for its own task only")
                    .isEmpty();
        });

        assertThat(requests.write(task, WorkTaskStatus.running("2026-11-25T16:27:40Z", 1L)))
                .isEmpty();
    }

    /**
     * Progress is offered without waiting; a newer offer, and then the outcome, replace one the reconciler
     * has not written yet, so the outcome is never followed by an older progress.
     */
    @Test
    void progressIsOfferedWithoutWaitingAndTheOutcomeReplacesProgressNotYetWritten() throws Exception {
        WorkTask task = task("uid-1");
        cache.put(ResourceID.fromResource(task), task);
        List<WorkTaskStatus> written = new CopyOnWriteArrayList<>();
        AtomicBoolean reconcilerBusy = new AtomicBoolean(true);
        wakeUps(event -> {
            if (reconcilerBusy.get()) {
                return; // as if the reconcile had not run yet: requests pile up
            }
            requests.pendingFor(task).ifPresent(r -> {
                written.add(r.status());
                r.written().complete(Optional.of(task));
            });
        });
        WorkTaskStatus running = WorkTaskStatus.running("2026-11-25T16:27:40Z", 1L);

        requests.offer(task, running.withProgress(BuildProgress.of(1, 10, 0)));
        requests.offer(task, running.withProgress(BuildProgress.of(5, 10, 3)));
        assertThat(requests.pendingFor(task).orElseThrow().status().progress().bytesFetched())
                .as("the newer progress replaced the older")
                .isEqualTo(5);

        reconcilerBusy.set(false);
        WorkTaskStatus succeeded = WorkTaskStatus.succeeded("a", "b", 1.0, Map.of(), null, 1L);
        assertThat(requests.write(task, succeeded)).containsSame(task);
        assertThat(written).containsExactly(succeeded);
        assertThat(requests.pendingFor(task)).isEmpty();

        // once written, an offer is forgotten
        requests.offer(task, running.withProgress(BuildProgress.of(9, 10, 7)));
        assertThat(written).hasSize(2);
        assertThat(requests.pendingFor(task)).isEmpty();
    }

    /** The informer's cache of tasks, as a map. */
    record MapCache(Map<ResourceID, WorkTask> tasks) implements ResourceCache<WorkTask> {
        @Override
        public Optional<WorkTask> get(ResourceID id) {
            return Optional.ofNullable(tasks.get(id));
        }

        @Override
        public Stream<ResourceID> keys() {
            return tasks.keySet().stream();
        }

        @Override
        public Stream<WorkTask> list(Predicate<WorkTask> predicate) {
            return tasks.values().stream().filter(predicate);
        }

        @Override
        public Stream<WorkTask> list(String namespace, Predicate<WorkTask> predicate) {
            return list(predicate.and(t -> namespace.equals(t.getMetadata().getNamespace())));
        }
    }
}

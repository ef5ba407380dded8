package io.workdisk.operator.task;

import io.workdisk.api.task.WorkTask;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What to do about a failed task, decided in one place for every planner. The agent says whether retrying
 * can help; if it can, the step is tried again once its backoff (5 s, 10 s, 20 s ... capped at 5 minutes, by
 * attempt) has passed since the task finished. A retry is the failed task removed, so the planner writes it
 * again with the next attempt number.
 */
public sealed interface Retry {
    /** How soon to look again after removing a task due for a retry, should the removal's own event be lost. */
    Duration SOON = Duration.ofSeconds(1);

    /** Retrying cannot help: the failure stands until something changes. */
    record Never() implements Retry {
        @Override
        public Optional<Duration> lookAgainIn() {
            return Optional.empty();
        }

        @Override
        public String says() {
            return "";
        }
    }

    /** The backoff is over: remove the failed task now, so it is written again. */
    record Now() implements Retry {
        @Override
        public Optional<Duration> lookAgainIn() {
            return Optional.of(SOON);
        }

        @Override
        public String says() {
            return "; retrying now";
        }
    }

    /** Still backing off: keep the failed task and look again when the wait is over. */
    record After(Duration in) implements Retry {
        @Override
        public Optional<Duration> lookAgainIn() {
            return Optional.of(in);
        }

        @Override
        public String says() {
            return "; retrying in " + in.toSeconds() + "s";
        }
    }

    /** When to look at the failure again; empty for one that stands, which nothing but a change moves on. */
    Optional<Duration> lookAgainIn();

    /** What a status message adds about the retry ("; retrying in 4s"), or nothing. */
    String says();

    /** Whether the failed step is due again now (its task removed by this plan, written again by the next). */
    default boolean dueNow() {
        return this instanceof Now;
    }

    /**
     * The plan for the failed task, the one way every planner answers a failure: {@code stands}' plan when
     * retrying cannot help; otherwise {@code retrying}'s, handed this decision for what the status says,
     * with the retry carried out ({@link Plan#retrying}: the task removed when due, looked at again when it
     * will be).
     */
    default <S> Plan<S> plan(WorkTask failed, Supplier<Plan<S>> stands, Function<Retry, Plan<S>> retrying) {
        return this instanceof Never ? stands.get() : retrying.apply(this).retrying(failed, this);
    }

    /** The number of the next try at a step whose last failed try was {@code failedAttempt}; 1 after none. */
    static int nextAttempt(Integer failedAttempt) {
        return failedAttempt == null ? 1 : failedAttempt + 1;
    }

    static Retry of(WorkTask failed, Instant now) {
        if (!Boolean.TRUE.equals(failed.getStatus().retryable())) {
            return new Never();
        }
        int attempt = failed.getSpec().attempt() == null ? 1 : failed.getSpec().attempt();
        String finished = failed.getStatus().finishedAt();
        Instant at = finished == null ? now : Instant.parse(finished);
        Duration wait = Duration.between(now, at.plus(backoff(attempt)));
        return wait.isNegative() || wait.isZero() ? new Now() : new After(wait);
    }

    /**
     * A step the agent refused only because a pod had the disk published, a refusal the planner meets only if the
     * node's record had not shown the publication yet. No growing backoff to sit out once the pod is gone, but a
     * short fixed pause: while the record catches up, the step is not written again in a loop.
     */
    Duration IN_USE_PAUSE = Duration.ofSeconds(2);

    static Retry afterInUse(WorkTask failed, Instant now) {
        String finished = failed.getStatus().finishedAt();
        Instant at = finished == null ? now : Instant.parse(finished);
        Duration wait = Duration.between(now, at.plus(IN_USE_PAUSE));
        return wait.isNegative() || wait.isZero() ? new Now() : new After(wait);
    }

    /** 5 s, 10 s, 20 s ... capped at 5 minutes. */
    static Duration backoff(int attempt) {
        long seconds = Math.min(300, 5L << Math.min(Math.max(attempt - 1, 0), 6));
        return Duration.ofSeconds(seconds);
    }
}

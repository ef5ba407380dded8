package io.workdisk.agent.source.retry;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How a fetch within one step is tried again: a download of a rootfs ({@code Downloader}) or of one
 * image blob ({@code ImagePuller}). The one place this is decided; whoever fetches is handed a policy.
 *
 * <p>It sits under the task-level backoff: the operator tries a failed step again after 5 s, 10 s, 20 s
 * ... (capped at 5 minutes) when its {@link Problem} is retryable. This policy only rides out what a few
 * seconds heal, a network or server hiccup ({@link Problem#SOURCE_UNAVAILABLE}), so that one dropped
 * connection does not fail a step whose other layers are in hand and cost a whole task round. Every
 * other fault goes up at once, retryable or not: a registry that denies access waits for its Secret to
 * change, a full disk for room, and that wait is the task-level backoff's, not this loop's. Attempts
 * are spaced by a delay that doubles from {@code firstDelay} up to {@code maxDelay}, each drawn at random
 * between half of it and all of it, so that the agents of many nodes that lost one registry at once do
 * not come back to it in step.
 *
 * @param attempts how many times a fetch is tried before its last failure is reported (at least 1)
 * @param pause how the wait between attempts is spent (a test hands in one that does not wait)
 */
public record RetryPolicy(int attempts, Duration firstDelay, Duration maxDelay, Pause pause) {
    /** Waits out the delay before the next attempt. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration delay) throws InterruptedException;
    }

    /** One attempt at a fetch; {@code number} counts from 1. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run(int number) throws EngineException;
    }

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("delays must be 0 <= first <= max, not " + firstDelay + ", " + maxDelay);
        }
    }

    /** Three attempts, 1 s then 2 s apart (each jittered), on the thread's own time. */
    public static RetryPolicy standard() {
        return new RetryPolicy(
                3, Duration.ofSeconds(1), Duration.ofSeconds(10), d -> TimeUnit.NANOSECONDS.sleep(d.toNanos()));
    }

    /** {@code attempts} tries with no wait between them: for tests, and for a caller that waits itself. */
    public static RetryPolicy immediate(int attempts) {
        return new RetryPolicy(attempts, Duration.ZERO, Duration.ZERO, d -> {});
    }

    public RetryPolicy withAttempts(int count) {
        return new RetryPolicy(count, firstDelay, maxDelay, pause);
    }

    /** Whether a fault may pass within the step (see the class comment for why only this one). */
    public static boolean retryableInStep(Problem problem) {
        return problem == Problem.SOURCE_UNAVAILABLE;
    }

    /**
     * The result of the first attempt that succeeds. A fault that may not pass in the step, or the last
     * one, is thrown; the last with "(after N attempts)" added when there were several.
     */
    public <T> T run(Attempt<T> attempt) throws EngineException {
        for (int number = 1; ; number++) {
            try {
                return attempt.run(number);
            } catch (EngineException e) {
                if (!retryableInStep(e.problem()) || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                if (number >= attempts) {
                    throw attempts == 1
                            ? e
                            : new EngineException(
                                    e.problem(), e.getMessage() + " (after " + attempts + " attempts)", e);
                }
                try {
                    pause.pause(delayBefore(number + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The wait before attempt {@code number} (2 or more): doubling from the first, capped, jittered. */
    Duration delayBefore(int number) {
        long full = firstDelay.toMillis() << Math.min(number - 2, 20);
        long capped = Math.min(full, maxDelay.toMillis());
        if (capped == 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(capped / 2, capped + 1));
    }
}

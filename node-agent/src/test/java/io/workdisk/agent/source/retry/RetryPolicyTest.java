package io.workdisk.agent.source.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one in-step retry policy: which faults it rides out, how long it waits, what it says at the end. */
class RetryPolicyTest {
    private final List<Duration> waits = new ArrayList<>();
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(300), waits::add);

    @Test
    void aPassingFaultIsTriedAgainWithDoublingJitteredCappedWaitsThenNamedWithTheCount() {
        AtomicInteger tries = new AtomicInteger();
        assertThatThrownBy(() -> policy.run(n -> {
                    tries.incrementAndGet();
                    throw new EngineException(Problem.SOURCE_UNAVAILABLE, "GET x answered HTTP 503");
                }))
                .isInstanceOf(EngineException.class)
                .hasMessage("GET x answered HTTP 503 (after 5 attempts)")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SOURCE_UNAVAILABLE);
        assertThat(tries).hasValue(5);
        assertThat(waits).hasSize(4);
        long[] full = {100, 200, 300, 300}; // doubling from the first, capped at the most
        for (int i = 0; i < full.length; i++) {
            assertThat(waits.get(i).toMillis()).as("wait %d", i + 1).isBetween(full[i] / 2, full[i]);
        }
    }

    @Test
    void aFaultTheStepCannotOutwaitGoesUpAtOnceToTheTaskLevelBackoff() {
        for (Problem problem : List.of(Problem.SOURCE_DENIED, Problem.INSUFFICIENT_SPACE, Problem.SOURCE_INVALID)) {
            AtomicInteger tries = new AtomicInteger();
            assertThatThrownBy(() -> policy.run(n -> {
                        tries.incrementAndGet();
                        throw new EngineException(problem, "no");
                    }))
                    .hasMessage("no");
            assertThat(tries).as(problem.name()).hasValue(1);
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void theFirstAttemptThatSucceedsIsTheAnswer() throws Exception {
        String got = policy.run(n -> {
            if (n < 3) {
                throw new EngineException(Problem.SOURCE_UNAVAILABLE, "stalled");
            }
            return "attempt " + n;
        });
        assertThat(got).isEqualTo("attempt 3");
        assertThat(waits).hasSize(2);
    }

    @Test
    void aWaitInterruptedStopsTheRetriesWithTheFaultInHand() {
        RetryPolicy interrupted = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), d -> {
            throw new InterruptedException();
        });
        AtomicInteger tries = new AtomicInteger();
        try {
            assertThatThrownBy(() -> interrupted.run(n -> {
                        tries.incrementAndGet();
                        throw new EngineException(Problem.SOURCE_UNAVAILABLE, "reset");
                    }))
                    .hasMessage("reset");
            assertThat(tries).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted(); // clears the flag for the next test on this thread
        }
    }

    @Test
    void theImmediatePolicyNeverWaits() {
        assertThat(RetryPolicy.immediate(3).delayBefore(3)).isZero();
        assertThat(RetryPolicy.standard().delayBefore(2).toMillis()).isBetween(500L, 1000L);
    }
}

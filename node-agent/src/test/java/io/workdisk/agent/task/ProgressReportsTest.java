package io.workdisk.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.api.task.BuildProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReportsTest {
    /** A clock the test moves. */
    static final class Hand extends Clock {
        Instant now = Instant.parse("2026-11-25T16:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void theFirstReportGoesAtOnceThenAtMostOneAnIntervalAndNoneOnceClosed() {
        Hand clock = new Hand();
        List<BuildProgress> sent = new ArrayList<>();
        ProgressReports reports = new ProgressReports(clock, Duration.ofSeconds(2), sent::add);

        reports.report(1, 100, 0);
        reports.report(2, 100, 0);
        clock.now = clock.now.plusMillis(1999);
        reports.report(3, 100, 0);
        clock.now = clock.now.plusMillis(1);
        reports.report(4, 100, 7);
        reports.close();
        clock.now = clock.now.plusSeconds(10);
        reports.report(5, 100, 9);

        assertThat(sent).containsExactly(BuildProgress.of(1, 100, 0), BuildProgress.of(4, 100, 7));
        assertThat(sent.get(1).describe()).isEqualTo("4/100, 7 entries");
    }
}

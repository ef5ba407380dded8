package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void rfc3339InUtcToTheSecond() {
        assertThat(Timestamps.of(Instant.parse("2026-11-25T16:27:40.987654321Z")))
                .isEqualTo("2026-11-25T16:27:40Z");
        assertThat(Timestamps.of(Instant.parse("2026-11-25T16:27:00Z")))
                .as("seconds even when zero")
                .isEqualTo("2026-11-25T16:27:00Z");
        assertThat(Timestamps.now(Clock.fixed(Instant.parse("2026-01-02T03:04:05.5Z"), ZoneOffset.ofHours(2))))
                .isEqualTo("2026-01-02T03:04:05Z");
    }
}

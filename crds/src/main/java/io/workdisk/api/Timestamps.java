package io.workdisk.api;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The one way workdisk writes a time into an object: RFC 3339 in UTC to the second, e.g.
 * 2026-11-25T16:27:40Z, as Kubernetes' own types write theirs (metav1.Time), so kubectl and tools that
 * read core objects read ours the same way.
 */
public final class Timestamps {
    private Timestamps() {}

    public static String of(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    public static String now(Clock clock) {
        return of(clock.instant());
    }
}

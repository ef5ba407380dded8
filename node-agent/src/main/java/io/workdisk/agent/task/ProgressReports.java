package io.workdisk.agent.task;

import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.api.task.BuildProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * A running step's progress, passed on at most once every {@code every} (the first report at once), so a
 * build that reports every block costs the API server one write per interval; nothing once closed, so no
 * progress can follow the step's outcome. Builds may report from several threads at once.
 */
final class ProgressReports implements ImageSeeds.Progress, AutoCloseable {
    private final Clock clock;
    private final Duration every;
    private final Consumer<BuildProgress> sink;
    private Instant last;
    private boolean closed;

    ProgressReports(Clock clock, Duration every, Consumer<BuildProgress> sink) {
        this.clock = clock;
        this.every = every;
        this.sink = sink;
    }

    @Override
    public synchronized void report(long bytesFetched, long bytesTotal, long entriesWritten) {
        Instant now = clock.instant();
        if (closed || (last != null && now.isBefore(last.plus(every)))) {
            return;
        }
        last = now;
        sink.accept(BuildProgress.of(bytesFetched, bytesTotal, entriesWritten));
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}

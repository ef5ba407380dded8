package io.workdisk.agent.engine.shared;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Wall time of each phase of a step, in order, so a slow step says where its time went (reported by the
 * CLI's --json and the agent's task status).
 */
public final class Phases {
    private final LongSupplier nanoTime;
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final long start;
    private long mark;

    public Phases(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.mark = start;
    }

    /** Ends the phase that started at the previous call (or at construction) under this name. */
    public void done(String phase) {
        long now = nanoTime.getAsLong();
        seconds.merge(phase, Math.round((now - mark) / 1e3) / 1e6, Double::sum);
        mark = now;
    }

    /** The wall time since construction, phases not yet done included. */
    public double totalSeconds() {
        return (nanoTime.getAsLong() - start) / 1e9;
    }

    public Map<String, Double> seconds() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }
}

package io.workdisk.agent.engine.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A blob's arrival as its fetcher reports it, for readers that wait on it: each attempt's file and how
 * much of it is written, the blob's final place once it is whole and verified, or why it was given up.
 * Thread-safe: one fetcher reports, any number of readers wait.
 */
public final class Arrival implements Arriving {
    private Path file;
    private long bytes;
    private int attempt = -1;
    private boolean whole;
    private Exception failure;

    /** An attempt begins writing the blob into {@code temp}, from its first byte. */
    public synchronized void started(Path temp) {
        attempt++;
        file = temp;
        bytes = 0;
        notifyAll();
    }

    /** The current attempt has written {@code total} bytes. */
    public synchronized void written(long total) {
        bytes = total;
        notifyAll();
    }

    /** The blob is whole, verified, at {@code blob}. */
    public synchronized void whole(Path blob, long size) {
        attempt = Math.max(attempt, 0);
        file = blob;
        bytes = size;
        whole = true;
        notifyAll();
    }

    /** The current attempt failed and its file is gone; another may start. */
    public synchronized void abandoned() {
        if (!whole) {
            file = null;
            bytes = 0;
        }
    }

    /** The fetcher gave the blob up: readers waiting for it fail with {@code why}. */
    public synchronized void failed(Exception why) {
        failure = why;
        notifyAll();
    }

    /** Whether an attempt failed part way and another began. */
    public synchronized boolean startedOver() {
        return attempt > 0;
    }

    @Override
    public synchronized Part await(long have) throws IOException, InterruptedException {
        while (!whole && failure == null && (file == null || bytes <= have)) {
            wait();
        }
        if (whole) {
            return new Part(file, bytes, attempt, true);
        }
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
        return new Part(file, bytes, attempt, false);
    }
}

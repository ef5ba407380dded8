package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.EngineException;
import io.workdisk.agent.engine.image.Arriving;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One layer blob of a pull as it arrives in the layer cache, for a build that reads it meanwhile: the
 * cache reports each attempt's file and progress, the pull reports its final failure, and readers wait
 * for the bytes they need.
 */
final class LayerArrival implements Arriving, LayerCache.Watcher {
    private Path file;
    private long bytes;
    private int attempt = -1;
    private boolean whole;
    private EngineException failure;

    @Override
    public synchronized void started(Path temp) {
        attempt++;
        file = temp;
        bytes = 0;
        notifyAll();
    }

    @Override
    public synchronized void written(long total) {
        bytes = total;
        notifyAll();
    }

    @Override
    public synchronized void whole(Path blob, long size) {
        attempt = Math.max(attempt, 0);
        file = blob;
        bytes = size;
        whole = true;
        notifyAll();
    }

    @Override
    public synchronized void abandoned() {
        if (!whole) {
            file = null;
            bytes = 0;
        }
    }

    /** Whether an attempt failed part way and another began. */
    synchronized boolean startedOver() {
        return attempt > 0;
    }

    /** The pull gave this blob up: readers waiting for it fail with why. */
    synchronized void failed(EngineException e) {
        failure = e;
        notifyAll();
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

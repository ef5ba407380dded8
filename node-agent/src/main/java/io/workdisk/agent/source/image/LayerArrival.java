package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.image.Arrival;
import java.nio.file.Path;

/** What the layer cache says about a blob it fetches, passed on to the build that reads the blob meanwhile. */
final class LayerArrival implements LayerCache.Watcher {
    private final Arrival arrival = new Arrival();

    /** What readers of the blob wait on. */
    Arrival arrival() {
        return arrival;
    }

    @Override
    public void started(Path temp) {
        arrival.started(temp);
    }

    @Override
    public void written(long bytes) {
        arrival.written(bytes);
    }

    @Override
    public void whole(Path blob, long size) {
        arrival.whole(blob, size);
    }

    @Override
    public void abandoned() {
        arrival.abandoned();
    }
}

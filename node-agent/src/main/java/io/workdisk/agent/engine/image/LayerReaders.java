package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.shared.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reading half of {@link LayerIndex}: every layer's headers, decompressed and parsed (and recorded for
 * later builds where the layer's store keeps a {@link LayerHeaders} record), or replayed from such a record,
 * each layer on a thread of the engine's shared reader pool while the index applies the layers below it.
 * Headers are small: at most {@link #READ_AHEAD} of them wait per layer.
 *
 * <p>The pool is shared by every build on the node, so its size bounds the reading threads however many
 * builds run. It never deadlocks a build: a build's layers are handed to the pool in order and the pool
 * starts tasks in the order given, so the layer the index waits for has always started (or finished);
 * a reader blocked on a full queue is ahead of it and waits for the index, never the other way round.
 */
public final class LayerReaders implements AutoCloseable {
    /** Headers a reader may get ahead of the applier per layer: a few MB of heap, enough to keep inflating. */
    private static final int READ_AHEAD = 8192;
    /** How long a reader thread outlives its last layer. */
    private static final Duration IDLE = Duration.ofSeconds(30);

    /** What a layer's reader hands over: a header, the end of the layer with its digests checked, or why it failed. */
    private sealed interface Item permits Header, End, Failed {}

    private record Header(TarEntry entry) implements Item {}

    private record End() implements Item {}

    private record Failed(Exception cause) implements Item {}

    private final LayerStream.Budget budget;
    private final List<BlockingQueue<Item>> queues = new ArrayList<>();
    private final List<Future<?>> readers = new ArrayList<>();
    private final AtomicInteger replayed = new AtomicInteger();

    private LayerReaders(LayerStream.Budget budget) {
        this.budget = budget;
    }

    /**
     * A pool of {@code threads} reader threads for the owner of the engine to hand in and shut down. Its
     * queue is FIFO, which the order argument above relies on; idle threads end after a while, so a pool
     * between builds holds none; they are daemons, so a reader blocked on a build that failed never keeps
     * the JVM up.
     */
    public static ExecutorService pool(int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads, threads, IDLE.toMillis(), TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
                    Thread t = new Thread(task, "layer-reader");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Starts reading {@code layers}, lowest first, on {@code pool}; each layer's bytes are charged to {@code budget}. */
    static LayerReaders start(ExecutorService pool, List<Layer> layers, LayerStream.Budget budget) {
        LayerReaders reading = new LayerReaders(budget);
        for (Layer layer : layers) {
            BlockingQueue<Item> queue = new LinkedBlockingQueue<>(READ_AHEAD);
            reading.queues.add(queue);
            reading.readers.add(pool.submit(() -> reading.read(layer, queue)));
        }
        return reading;
    }

    /** The next header of layer {@code index} (0 the lowest), or null once the layer ended with its digests checked. */
    TarEntry next(int index) throws IOException, EngineException, InterruptedException {
        Item item = queues.get(index).take();
        if (item instanceof Failed f) {
            throw rethrown(f.cause());
        }
        return item instanceof Header h ? h.entry() : null;
    }

    /** How many layers' headers came from an earlier read's record, for the report (read once every layer ended). */
    int replayed() {
        return replayed.get();
    }

    /** Stops every reader still running or waiting: the build is over, whether it ended or failed. */
    @Override
    public void close() {
        readers.forEach(r -> r.cancel(true));
    }

    private void read(Layer layer, BlockingQueue<Item> out) {
        try {
            Optional<LayerHeaders.Replay> recorded = layer.headers().flatMap(file -> LayerHeaders.open(file, layer));
            if (recorded.isPresent()) {
                replay(recorded.get(), layer.headers().get(), out);
            } else {
                readAndRecord(layer, out);
            }
            out.put(new End());
        } catch (InterruptedException e) {
            // the build has stopped: nobody reads this layer any more
        } catch (EngineException | IOException | RuntimeException e) {
            hand(out, new Failed(e));
        } catch (Error e) {
            // The applier waits for this layer's last item: it must get one, or it would wait forever.
            hand(out, new Failed(new IOException("reading the layer failed: " + e, e)));
            throw e;
        }
    }

    /** The headers an earlier read of this very layer recorded, in its tar's order. */
    private void replay(LayerHeaders.Replay recorded, Path file, BlockingQueue<Item> out)
            throws IOException, InterruptedException {
        try (recorded) {
            for (TarEntry e = recorded.next(); e != null; e = recorded.next()) {
                out.put(new Header(e));
            }
        } catch (IOException e) {
            // Whole by its hash yet unreadable: a record this code cannot read. The build fails (entries
            // were applied); without the record, the next one reads the layer itself.
            Files.deleteIfExists(file);
            throw e;
        }
        budget.charge(recorded.tarBytes());
        replayed.incrementAndGet();
    }

    /** Reads the layer itself, recording its headers for later builds where its store keeps them. */
    private void readAndRecord(Layer layer, BlockingQueue<Item> out)
            throws IOException, InterruptedException, EngineException {
        try (LayerStream stream = LayerStream.open(layer, budget);
                LayerHeaders.Recorder record = recorder(layer)) {
            TarReader reader = new TarReader(stream.tar());
            for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                if (record != null) {
                    record.add(e);
                }
                out.put(new Header(e));
            }
            stream.finish();
            if (record != null) {
                record.commit(stream.tarBytes());
            }
        }
    }

    /** A recorder for the layer's headers, or null where none is kept or it cannot be written (a cache, not a need). */
    private static LayerHeaders.Recorder recorder(Layer layer) {
        if (layer.headers().isEmpty()) {
            return null;
        }
        try {
            return LayerHeaders.record(layer.headers().get(), layer);
        } catch (IOException e) {
            return null;
        }
    }

    private static void hand(BlockingQueue<Item> out, Item last) {
        try {
            out.put(last);
        } catch (InterruptedException stopped) {
            // the build has stopped: nobody reads this layer any more
        }
    }

    private static IOException rethrown(Exception e) throws EngineException {
        if (e instanceof IOException io) {
            return io;
        }
        if (e instanceof EngineException engine) {
            throw engine;
        }
        throw (RuntimeException) e;
    }
}

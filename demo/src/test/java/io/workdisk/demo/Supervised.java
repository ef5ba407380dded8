package io.workdisk.demo;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component process kept running the way the kubelet keeps a container with restartPolicy Always: when it
 * exits, it is started again after a short back-off. The kubernetes-csi sidecars exit on purpose when they lose
 * their driver's socket (the operator restarted, say) and count on exactly that.
 */
final class Supervised {
    private static final Logger LOG = LoggerFactory.getLogger(Supervised.class);
    /** A back-off, as the kubelet's, so that a component that cannot start does not spin. */
    private static final Executor BACK_OFF = CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS);

    private final String component;
    private final ProcessBuilder builder;
    private final AtomicInteger starts = new AtomicInteger();
    private Process process;
    private boolean stopping;

    private Supervised(String component, ProcessBuilder builder) {
        this.component = component;
        this.builder = builder;
    }

    static Supervised start(String component, ProcessBuilder builder) throws IOException {
        Supervised supervised = new Supervised(component, builder);
        supervised.launch();
        return supervised;
    }

    String component() {
        return component;
    }

    int starts() {
        return starts.get();
    }

    private synchronized void launch() throws IOException {
        if (stopping) {
            return;
        }
        process = builder.start();
        starts.incrementAndGet();
        process.onExit().thenRunAsync(this::restart, BACK_OFF);
    }

    private void restart() {
        try {
            launch();
        } catch (IOException e) {
            LOG.error("cannot restart {}: {}", component, e.getMessage());
        }
    }

    /**
     * SIGKILLs the component as it runs, without stopping its supervision: it is started again after the
     * back-off, as the kubelet restarts a container that crashed.
     */
    void kill() {
        Process now;
        synchronized (this) {
            now = process;
        }
        now.destroyForcibly();
    }

    void stop() throws InterruptedException {
        Process last;
        synchronized (this) {
            stopping = true;
            last = process;
        }
        last.destroy();
        if (!last.waitFor(10, TimeUnit.SECONDS)) {
            last.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

package io.workdisk.demo;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A failing API server, between the network and the stored objects: while on, requests from workdisk's
 * processes (every client but the test's own, whose User-Agent is workdisk-user) are answered with a
 * 500, a 409 conflict for writes, or a response held back past the client's timeout after the request
 * took effect (the hardest kind: the write happened, the writer does not know). It also counts requests.
 */
final class ApiFaults extends Dispatcher {
    private final Dispatcher inner;
    private final Random random;
    private final Duration holdBack;
    private volatile boolean on;
    private final AtomicLong requests = new AtomicLong();
    private final java.util.Map<String, AtomicLong> byAgent = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong failed = new AtomicLong();

    ApiFaults(Dispatcher inner, long seed, Duration holdBack) {
        this.inner = inner;
        this.random = new Random(seed);
        this.holdBack = holdBack;
    }

    void on() {
        on = true;
    }

    void off() {
        on = false;
    }

    /** Requests from workdisk's processes so far. */
    long requests() {
        return requests.get();
    }

    /** Requests so far from clients whose User-Agent is {@code userAgent}. */
    long requestsFrom(String userAgent) {
        AtomicLong n = byAgent.get(userAgent);
        return n == null ? 0 : n.get();
    }

    /** Requests answered with a fault so far. */
    long failed() {
        return failed.get();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if ("workdisk-user".equals(request.getHeader("User-Agent"))) {
            return inner.dispatch(request);
        }
        requests.incrementAndGet();
        byAgent.computeIfAbsent(String.valueOf(request.getHeader("User-Agent")), a -> new AtomicLong()).incrementAndGet();
        if (!on) {
            return inner.dispatch(request);
        }
        boolean write = !request.getMethod().equals("GET");
        boolean watch = request.getPath().contains("watch=true");
        double dice;
        synchronized (random) {
            dice = random.nextDouble();
        }
        if (dice < 0.4) {
            failed.incrementAndGet();
            return status(500, "InternalError", "injected: the API server is failing");
        }
        if (dice < 0.55 && write) {
            failed.incrementAndGet();
            return status(409, "Conflict", "injected: the object has been modified; please apply your changes to the latest version and try again");
        }
        if (dice < 0.7 && !watch) {
            failed.incrementAndGet();
            return inner.dispatch(request).setBodyDelay(holdBack);
        }
        return inner.dispatch(request);
    }

    private static MockResponse status(int code, String reason, String message) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code
                        + ",\"reason\":\"" + reason + "\",\"message\":\"" + message + "\"}");
    }

    @Override
    public void shutdown() {
        inner.shutdown();
    }
}

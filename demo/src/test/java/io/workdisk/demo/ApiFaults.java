package io.workdisk.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A failing API server: a proxy on localhost in front of the real one that, while on, answers requests
 * with a 500, a 409 conflict for writes, or a response held back past the client's timeout after the
 * real server carried the request out (the hardest kind: the write happened, the writer does not know).
 * Processes reach it with {@link #kubeconfigYaml()}; it forwards with the administrator's certificate,
 * so it is for fault tests, not for RBAC. It counts the requests it forwards.
 */
final class ApiFaults implements AutoCloseable {
    /** Headers the JDK client or server sets itself or refuses to forward. */
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "content-length",
            "host",
            "upgrade",
            "expect",
            "keep-alive",
            "transfer-encoding",
            "te",
            "trailer",
            "proxy-connection",
            "http2-settings",
            "date");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient upstream;
    private final URI target;
    private final Random random;
    private final Duration holdBack;
    private volatile boolean on;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** While set, writes it matches are refused, whatever {@link #on} says. */
    private volatile Refusing refusing;

    /**
     * Writes from the process whose requests carry {@code userAgent}, to paths containing {@code pathPart},
     * refused {@code times} more times at most.
     */
    private record Refusing(String userAgent, String pathPart, AtomicLong times) {
        boolean takes(HttpExchange exchange) {
            String agent = exchange.getRequestHeaders().getFirst("User-Agent");
            return agent != null
                    && agent.startsWith(userAgent)
                    && exchange.getRequestURI().getPath().contains(pathPart)
                    && times.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }
    }

    private final List<Refusal> refusals = new CopyOnWriteArrayList<>();

    /** A write refused by {@link #refuseWritesFrom} or {@link #refuseNextWrite}: when (System.nanoTime) and to which path. */
    record Refusal(long atNanos, String path) {}

    private ApiFaults(RealApiServer api, long seed, Duration holdBack) throws Exception {
        Config admin = Config.fromKubeconfig(api.kubeconfigYaml());
        this.upstream = HttpClient.newBuilder()
                .sslContext(SSLUtils.sslContext(admin))
                .connectTimeout(Duration.ofSeconds(5))
                .executor(threads)
                .build();
        this.target = URI.create(admin.getMasterUrl().replaceFirst("/$", ""));
        this.random = new Random(seed);
        this.holdBack = holdBack;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static ApiFaults start(RealApiServer api, long seed, Duration holdBack) throws Exception {
        return new ApiFaults(api, seed, holdBack);
    }

    /** A kubeconfig that points at this proxy. */
    String kubeconfigYaml() {
        return """
                apiVersion: v1
                kind: Config
                clusters: [{name: faulty, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: faulty, user: {}}]
                contexts: [{name: faulty, context: {cluster: faulty, user: faulty}}]
                current-context: faulty
                """.formatted(server.getAddress().getPort());
    }

    void on() {
        on = true;
    }

    void off() {
        on = false;
    }

    /**
     * Refuses every write from the process whose requests carry this User-Agent with a 409 conflict (one the
     * client does not retry by itself), until {@link #acceptWrites()}; its reads and watches go through, so it
     * still sees every change.
     */
    void refuseWritesFrom(String userAgent) {
        refusing = new Refusing(userAgent, "/", new AtomicLong(Long.MAX_VALUE));
    }

    /** Refuses the next write from this process to a path containing {@code pathPart}, once, as above. */
    void refuseNextWrite(String userAgent, String pathPart) {
        refusing = new Refusing(userAgent, pathPart, new AtomicLong(1));
    }

    void acceptWrites() {
        refusing = null;
    }

    /** How many writes to paths containing {@code pathPart} were refused. */
    long refused(String pathPart) {
        return refusals.stream().filter(r -> r.path().contains(pathPart)).count();
    }

    /** How long the writes refused to paths containing {@code pathPart} went on, from the first to the last. */
    Duration refusedFor(String pathPart) {
        LongSummaryStatistics at = refusals.stream()
                .filter(r -> r.path().contains(pathPart))
                .mapToLong(Refusal::atNanos)
                .summaryStatistics();
        return at.getCount() == 0 ? Duration.ZERO : Duration.ofNanos(at.getMax() - at.getMin());
    }

    /** Requests received so far. */
    long requests() {
        return requests.get();
    }

    /** Requests answered with a fault so far. */
    long failed() {
        return failed.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
            if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
                // a websocket watch: refused with 503 the client falls back to a plain HTTP watch, which a
                // proxy can pass on as it streams
                reply(exchange, 503, "ServiceUnavailable", "websocket watches are not proxied");
                return;
            }
            boolean write = !exchange.getRequestMethod().equals("GET");
            Refusing refused = refusing;
            if (write && refused != null && refused.takes(exchange)) {
                refusals.add(
                        new Refusal(System.nanoTime(), exchange.getRequestURI().getPath()));
                reply(exchange, 409, "Conflict", "injected: a write from " + refused.userAgent() + " is refused");
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            boolean watch = query != null && query.contains("watch=true");
            double dice;
            synchronized (random) {
                dice = random.nextDouble();
            }
            if (on && dice < 0.4) {
                failed.incrementAndGet();
                reply(exchange, 500, "InternalError", "injected: the API server is failing");
                return;
            }
            if (on && dice < 0.55 && write) {
                failed.incrementAndGet();
                reply(
                        exchange,
                        409,
                        "Conflict",
                        "injected: the object has been modified; please apply your changes to the latest version and try again");
                return;
            }
            boolean hold = on && dice < 0.7 && !watch;
            if (hold) {
                failed.incrementAndGet();
            }
            forward(exchange, hold);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange, boolean hold) throws IOException, InterruptedException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        target.resolve(exchange.getRequestURI().toString()))
                .method(
                        exchange.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<InputStream> response;
        try {
            response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            reply(exchange, 502, "BadGateway", "proxy: " + e);
            return;
        }
        if (hold) {
            Thread.sleep(holdBack.toMillis()); // the request took effect; its answer comes too late
        }
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, List.copyOf(values));
            }
        });
        try (InputStream in = response.body()) {
            exchange.sendResponseHeaders(response.statusCode(), 0); // chunked: watches stream
            OutputStream out = exchange.getResponseBody();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException clientGone) {
            // the client closed a watch, or timed out waiting
        }
    }

    private static void reply(HttpExchange exchange, int code, String reason, String message) throws IOException {
        byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code
                        + ",\"reason\":\"" + reason + "\",\"message\":\"" + message + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

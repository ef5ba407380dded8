package io.workdisk.agent.source.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A test HTTP server in front of a real registry: it passes requests through (headers that matter, and
 * the Authorization) unless a rule for the request's path answers instead, as a hostile or broken
 * registry would. It counts requests per method and path.
 */
final class RegistryFront implements AutoCloseable {
    /** Answers a request instead of the registry; may call {@link #upstream} for the real answer. */
    @FunctionalInterface
    interface Rule {
        void answer(HttpExchange exchange) throws IOException;
    }

    record Upstream(int status, Map<String, List<String>> headers, byte[] body) {}

    private record Route(String method, Predicate<String> path, Rule rule) {}

    private final HttpServer server;
    private final String upstream;
    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    private RegistryFront(HttpServer server, String upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    static RegistryFront start(String upstreamBase) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        RegistryFront front = new RegistryFront(server, upstreamBase);
        server.createContext("/", front::handle);
        server.start();
        return front;
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code method} requests whose path ends with {@code suffix} with {@code rule}. */
    void on(String method, String suffix, Rule rule) {
        routes.add(0, new Route(method, p -> p.endsWith(suffix), rule));
    }

    int count(String method, String suffix) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().startsWith(method + " ") && e.getKey().endsWith(suffix))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        counts.computeIfAbsent(ex.getRequestMethod() + " " + path, k -> new AtomicInteger())
                .incrementAndGet();
        try {
            for (Route r : routes) {
                if (r.method().equals(ex.getRequestMethod()) && r.path().test(path)) {
                    r.rule().answer(ex);
                    return;
                }
            }
            Upstream u = upstream(ex);
            send(ex, u.status(), u.headers(), u.body());
        } finally {
            ex.close();
        }
    }

    /** What the registry itself answers to this request. */
    Upstream upstream(HttpExchange ex) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
                .method(
                        ex.getRequestMethod(),
                        HttpRequest.BodyPublishers.ofByteArray(
                                ex.getRequestBody().readAllBytes()));
        for (String h : List.of("Authorization", "Accept", "Content-Type")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Upstream(r.statusCode(), r.headers().map(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static void send(HttpExchange ex, int status, Map<String, List<String>> headers, byte[] body) throws IOException {
        for (String h : List.of("content-type", "docker-content-digest", "www-authenticate", "location")) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(h)) {
                    e.getValue().forEach(v -> ex.getResponseHeaders().add(h, v));
                }
            }
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

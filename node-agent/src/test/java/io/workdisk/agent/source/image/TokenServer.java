package io.workdisk.agent.source.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token endpoint of the bearer flow, served by the test: it checks a Basic login if one is sent and
 * answers with a JWT signed by the test's token key, its certificate in the {@code x5c} header, which
 * the real registry verifies against its {@code rootcertbundle}. Anonymous callers may pull repositories
 * under {@code public/}; the one user may pull and push everything; a wrong password gets 401.
 */
final class TokenServer implements AutoCloseable {
    static final String SERVICE = "workdisk-test-registry";
    static final String ISSUER = "workdisk-test-issuer";

    private final HttpServer server;
    private final TestPki pki;
    private final String user;
    private final String password;
    private final Map<String, AtomicInteger> requestsByScope = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    private TokenServer(HttpServer server, TestPki pki, String user, String password) {
        this.server = server;
        this.pki = pki;
        this.user = user;
        this.password = password;
    }

    static TokenServer start(TestPki pki, String user, String password) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TokenServer tokens = new TokenServer(server, pki, user, password);
        server.createContext("/token", tokens::handle);
        server.start();
        return tokens;
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    TestPki pki() {
        return pki;
    }

    /** Token requests that asked for this scope. */
    int requests(String scope) {
        AtomicInteger n = requestsByScope.get(scope);
        return n == null ? 0 : n.get();
    }

    /** A token for the one user, for the test's own pushes. */
    String tokenFor(String repository) throws IOException {
        return mint(user, List.of("repository:" + repository + ":push,pull"), true);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, List<String>> query = query(ex.getRequestURI().getRawQuery());
            List<String> scopes = query.getOrDefault("scope", List.of());
            scopes.forEach(s ->
                    requestsByScope.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet());
            String subject = "";
            String header = ex.getRequestHeaders().getFirst("Authorization");
            if (header != null) {
                String decoded = header.startsWith("Basic ")
                        ? new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8)
                        : "";
                if (!decoded.equals(user + ":" + password)) {
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                subject = user;
            }
            if (!SERVICE.equals(first(query, "service"))) {
                ex.sendResponseHeaders(400, -1);
                return;
            }
            String token = mint(subject, scopes, !subject.isEmpty());
            byte[] body = json.writeValueAsBytes(Map.of("token", token, "expires_in", 300));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private String mint(String subject, List<String> scopes, boolean everything) throws IOException {
        try {
            ObjectNode head = json.createObjectNode().put("alg", "RS256").put("typ", "JWT");
            head.putArray("x5c")
                    .add(Base64.getEncoder()
                            .encodeToString(pki.tokenCertificate().getEncoded()));
            long now = Instant.now().getEpochSecond();
            ObjectNode claims = json.createObjectNode()
                    .put("iss", ISSUER)
                    .put("sub", subject)
                    .put("aud", SERVICE)
                    .put("iat", now)
                    .put("nbf", now - 60)
                    .put("exp", now + 300)
                    .put("jti", UUID.randomUUID().toString());
            ArrayNode access = claims.putArray("access");
            for (String scope : scopes) {
                String[] parts = scope.split(":");
                if (parts.length != 3 || !parts[0].equals("repository")) {
                    continue;
                }
                List<String> granted = new ArrayList<>();
                for (String action : parts[2].split(",")) {
                    if (everything || (action.equals("pull") && parts[1].startsWith("public/"))) {
                        granted.add(action);
                    }
                }
                ObjectNode entry = access.addObject().put("type", "repository").put("name", parts[1]);
                granted.forEach(entry.putArray("actions")::add);
            }
            Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
            String signingInput = url.encodeToString(json.writeValueAsBytes(head)) + "."
                    + url.encodeToString(json.writeValueAsBytes(claims));
            PrivateKey key = pki.tokenPrivateKey();
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + url.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String first(Map<String, List<String>> query, String key) {
        List<String> v = query.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

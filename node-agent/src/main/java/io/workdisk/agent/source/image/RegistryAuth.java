package io.workdisk.agent.source.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Answers registries' {@code WWW-Authenticate} challenges: {@code Basic} with the registry's login, or
 * {@code Bearer} with a token fetched from the challenge's realm (with the login if there is one, else
 * anonymously). Tokens are kept per registry and scope until shortly before they expire, so pulling the
 * layers of one repository asks for one token; a registry known to want Basic gets it up front.
 */
final class RegistryAuth {
    private static final int MAX_TOKEN_RESPONSE = 1 << 20;
    /** What the distribution spec says to assume when a token response gives no lifetime. */
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    /** Tokens are renewed this long before they expire, so none expires on its way to the registry. */
    private static final Duration RENEW_EARLY = Duration.ofSeconds(10);

    private final HttpClient http;
    private final RegistryCredentials credentials;
    private final Duration timeout;
    private final Clock clock;
    private final ConcurrentMap<String, Token> tokens = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Boolean> basicHosts = new ConcurrentHashMap<>();

    RegistryAuth(HttpClient http, RegistryCredentials credentials, Duration timeout, Clock clock) {
        this.http = http;
        this.credentials = credentials;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The Authorization header already known to work for this registry and scope, if any. */
    Optional<String> known(String registry, String scope) {
        Token token = tokens.get(key(registry, scope));
        if (token != null && clock.instant().isBefore(token.renewAt())) {
            return Optional.of("Bearer " + token.value());
        }
        if (basicHosts.containsKey(registry)) {
            return credentials.forRegistry(registry).map(RegistryCredentials.Login::basicHeader);
        }
        return Optional.empty();
    }

    /**
     * The Authorization header that answers a 401's challenges for {@code scope}, fetching a token if
     * need be. {@code plainHttp}: the registry was asked for over plain HTTP, so a token realm may be too.
     */
    String answer(String registry, String scope, List<String> wwwAuthenticate, boolean plainHttp)
            throws EngineException {
        List<Challenge> challenges = Challenge.parseAll(wwwAuthenticate);
        Optional<RegistryCredentials.Login> login = credentials.forRegistry(registry);
        for (Challenge c : challenges) {
            if (c.scheme().equals("bearer") && c.param("realm") != null) {
                return "Bearer " + fetchToken(registry, scope, c, login, plainHttp);
            }
        }
        for (Challenge c : challenges) {
            if (c.scheme().equals("basic")) {
                if (login.isEmpty()) {
                    throw new EngineException(
                            Problem.SOURCE_DENIED,
                            "registry " + registry + " asks for a user name and password (HTTP 401, Basic) and the"
                                    + " registry config has none for it");
                }
                basicHosts.put(registry, true);
                return login.get().basicHeader();
            }
        }
        throw new EngineException(
                Problem.SOURCE_DENIED,
                "registry " + registry + " answered HTTP 401 with no challenge the agent can answer: "
                        + Printable.printable(String.join(" | ", wwwAuthenticate)));
    }

    /** A token is refused at the registry: forget it, so the next request asks for a fresh one. */
    void forget(String registry, String scope) {
        tokens.remove(key(registry, scope));
    }

    /**
     * A Bearer token for {@code scope} (the challenge's own scope first): from the realm the challenge names,
     * checked, asked with the login if there is one, and kept until shortly before it expires.
     */
    private String fetchToken(
            String registry,
            String scope,
            Challenge challenge,
            Optional<RegistryCredentials.Login> login,
            boolean plainHttp)
            throws EngineException {
        String wanted = challenge.param("scope") != null ? challenge.param("scope") : scope;
        URI realm = tokenRealm(registry, challenge, plainHttp);
        TokenResponse response = askTokenServer(realm, tokenQuery(realm, challenge, wanted), login);
        if (response.status() == 401 || response.status() == 403) {
            throw new EngineException(
                    Problem.SOURCE_DENIED,
                    "token server " + realm + " refused "
                            + (login.isPresent() ? "the login for " : "anonymous access to ") + registry + " (HTTP "
                            + response.status() + ") for " + Printable.printable(wanted));
        }
        if (response.status() != 200) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, "token server " + realm + " answered HTTP " + response.status());
        }
        JsonNode json = tokenJson(realm, response.body());
        String token = json == null
                ? ""
                : json.path("token").asText(json.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new EngineException(Problem.SOURCE_INVALID, "token server " + realm + " sent no token");
        }
        long seconds = json.path("expires_in").asLong(0);
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFETIME;
        Instant renewAt = clock.instant().plus(lifetime).minus(RENEW_EARLY);
        tokens.put(key(registry, scope), new Token(token, renewAt));
        return token;
    }

    /** The realm the challenge names: a URL, https (http only for a plain-HTTP registry), with a host. */
    private static URI tokenRealm(String registry, Challenge challenge, boolean plainHttp) throws EngineException {
        URI realm;
        try {
            realm = URI.create(challenge.param("realm"));
        } catch (IllegalArgumentException e) {
            throw new EngineException(
                    Problem.SOURCE_DENIED,
                    "registry " + registry + " names a token realm that is not a URL: "
                            + Printable.printable(challenge.param("realm")));
        }
        boolean https = "https".equalsIgnoreCase(realm.getScheme());
        if (!https && !("http".equalsIgnoreCase(realm.getScheme()) && plainHttp) || realm.getHost() == null) {
            throw new EngineException(
                    Problem.SOURCE_DENIED,
                    "registry " + registry + " names the token realm " + Printable.printable(realm.toString())
                            + ", which must be https:// (http:// only for a plain-HTTP registry)");
        }
        return realm;
    }

    /** The realm with the challenge's service and the scope wanted as query parameters. */
    private static URI tokenQuery(URI realm, Challenge challenge, String wanted) {
        StringBuilder query = new StringBuilder();
        if (challenge.param("service") != null) {
            query.append("service=").append(encode(challenge.param("service")));
        }
        if (wanted != null) {
            query.append(query.length() > 0 ? "&" : "").append("scope=").append(encode(wanted));
        }
        String base = realm.toString();
        return URI.create(base + (query.length() == 0 ? "" : (base.contains("?") ? "&" : "?") + query));
    }

    /** What the token server answered: its status and at most one byte more than a token response may have. */
    private record TokenResponse(int status, byte[] body) {}

    private TokenResponse askTokenServer(URI realm, URI uri, Optional<RegistryCredentials.Login> login)
            throws EngineException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(timeout).GET();
        login.ifPresent(l -> request.header("Authorization", l.basicHeader()));
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    "token server " + realm + " sent no response within " + timeout.toSeconds() + "s",
                    e);
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, "cannot get a token from " + realm + ": " + ErrorText.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(Problem.SOURCE_UNAVAILABLE, "token request to " + realm + " interrupted", e);
        }
        try (InputStream in = response.body()) {
            return new TokenResponse(response.statusCode(), in.readNBytes(MAX_TOKEN_RESPONSE + 1));
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, "cannot read the token from " + realm + ": " + ErrorText.of(e), e);
        }
    }

    /** The token response as JSON, refused when larger than 1 MiB or not JSON. */
    private static JsonNode tokenJson(URI realm, byte[] body) throws EngineException {
        if (body.length > MAX_TOKEN_RESPONSE) {
            throw new EngineException(
                    Problem.SOURCE_INVALID, "token server " + realm + " sent a response larger than 1 MiB");
        }
        try {
            return new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_INVALID, "token server " + realm + " sent something that is not JSON", e);
        }
    }

    private static String key(String registry, String scope) {
        return registry + " " + scope;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private record Token(String value, Instant renewAt) {}
}

package io.workdisk.agent.source.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * User names and passwords per registry, from a docker {@code config.json} ({@code auths.<host>.auth},
 * base64 of {@code user:password}, or {@code username} and {@code password}). Keys may be written as
 * hosts or as URLs ({@code https://index.docker.io/v1/}); all of Docker Hub's spellings mean Docker Hub.
 * Credential helpers are not run: the agent executes nothing a config file names.
 */
public final class RegistryCredentials {
    private static final long MAX_CONFIG_BYTES = 1 << 20;
    private final Map<String, Login> byHost;

    private RegistryCredentials(Map<String, Login> byHost) {
        this.byHost = Map.copyOf(byHost);
    }

    /** No credentials: every registry is asked anonymously. */
    public static RegistryCredentials none() {
        return new RegistryCredentials(Map.of());
    }

    public static RegistryCredentials of(String registry, String username, String password) {
        return new RegistryCredentials(Map.of(hostKey(registry), new Login(username, password)));
    }

    /** The logins in a docker config.json; a file that is not one is an error that names it. */
    public static RegistryCredentials read(Path configJson) throws EngineException {
        JsonNode root;
        try {
            if (Files.size(configJson) > MAX_CONFIG_BYTES) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "registry config " + ConfinedRoot.quoted(configJson) + " is larger than 1 MiB");
            }
            root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    "cannot read the registry config " + ConfinedRoot.quoted(configJson) + ": " + ErrorText.of(e),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    "registry config " + ConfinedRoot.quoted(configJson) + " is not a docker config.json object");
        }
        Map<String, Login> logins = new HashMap<>();
        JsonNode auths = root.path("auths");
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Login login = login(configJson, entry.getKey(), entry.getValue());
            if (login != null) {
                logins.put(hostKey(entry.getKey()), login);
            }
        }
        return new RegistryCredentials(logins);
    }

    /** The login for a registry as a reference names it ({@code docker.io}, {@code host:port}). */
    public Optional<Login> forRegistry(String registry) {
        return Optional.ofNullable(byHost.get(hostKey(registry)));
    }

    private static Login login(Path file, String host, JsonNode entry) throws EngineException {
        String auth = entry.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "registry config " + ConfinedRoot.quoted(file) + ": auths." + Printable.printable(host)
                                + ".auth is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "registry config " + ConfinedRoot.quoted(file) + ": auths." + Printable.printable(host)
                                + ".auth is not base64 of user:password");
            }
            return new Login(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        String user = entry.path("username").asText("");
        if (!user.isEmpty()) {
            return new Login(user, entry.path("password").asText(""));
        }
        return null;
    }

    /** {@code https://index.docker.io/v1/} and {@code Registry-1.docker.io} both become {@code docker.io}. */
    static String hostKey(String key) {
        String host = key.trim();
        if (host.contains("://")) {
            URI uri = URI.create(host);
            host = uri.getRawAuthority() == null ? host : uri.getRawAuthority();
        } else if (host.indexOf('/') >= 0) {
            host = host.substring(0, host.indexOf('/'));
        }
        host = host.toLowerCase(Locale.ROOT);
        return switch (host) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> ImageReference.DOCKER_HUB;
            default -> host;
        };
    }

    /** A user name and password; the password never appears in {@link #toString()}. */
    public record Login(String username, String password) {
        String basicHeader() {
            return "Basic "
                    + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Login[" + username + ", password hidden]";
        }
    }
}

package io.workdisk.agent.source.image;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code docker-registry} (distribution 2.8), run by the test on 127.0.0.1 with its own storage
 * directory: plain HTTP, TLS from {@link TestPki}, htpasswd (bcrypt) Basic auth, or token auth that
 * checks JWTs against the test's token signer. Stopped (and its storage removed with the temp dir) when
 * closed.
 */
public final class TestRegistry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final String host;
    private final boolean tls;

    private TestRegistry(Process process, String host, boolean tls) {
        this.process = process;
        this.host = host;
        this.tls = tls;
    }

    /** How a registry is set up; the named factories below say which. */
    public record Setup(TestPki tls, String htpasswdUser, String htpasswdPassword, TokenServer token) {
        public static Setup plain() {
            return new Setup(null, null, null, null);
        }

        static Setup tls(TestPki pki) {
            return new Setup(pki, null, null, null);
        }

        Setup withHtpasswd(String user, String password) {
            return new Setup(tls, user, password, token);
        }

        Setup withToken(TokenServer server) {
            return new Setup(tls, htpasswdUser, htpasswdPassword, server);
        }
    }

    public static TestRegistry start(Path dir, Setup setup) throws IOException {
        Files.createDirectories(dir);
        StringBuilder config = new StringBuilder();
        config.append("version: 0.1\n")
                .append("log:\n  level: info\n  accesslog:\n    disabled: true\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ")
                .append(dir.resolve("storage"))
                .append("\n  delete:\n    enabled: true\n")
                .append("http:\n  addr: 127.0.0.1:0\n  secret: workdisk-test-secret\n");
        if (setup.tls() != null) {
            config.append("  tls:\n    certificate: ")
                    .append(setup.tls().serverCert())
                    .append("\n    key: ")
                    .append(setup.tls().serverKey())
                    .append("\n");
        }
        if (setup.htpasswdUser() != null) {
            Path htpasswd = dir.resolve("htpasswd");
            String line = io.workdisk.agent.testing.Shell.ok(
                    "htpasswd", "-Bbn", setup.htpasswdUser(), setup.htpasswdPassword());
            Files.writeString(htpasswd, line.strip() + "\n");
            config.append("auth:\n  htpasswd:\n    realm: workdisk-test\n    path: ")
                    .append(htpasswd)
                    .append("\n");
        } else if (setup.token() != null) {
            config.append("auth:\n  token:\n    realm: ")
                    .append(setup.token().realm())
                    .append("\n    service: ")
                    .append(TokenServer.SERVICE)
                    .append("\n    issuer: ")
                    .append(TokenServer.ISSUER)
                    .append("\n    rootcertbundle: ")
                    .append(setup.token().pki().tokenCert())
                    .append("\n");
        }
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config.toString());
        Path log = dir.resolve("registry.log");
        ProcessBuilder pb = new ProcessBuilder(List.of(BINARY.toString(), "serve", configFile.toString()));
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        String[] port = new String[1];
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(
                                "docker-registry exited: " + Files.readString(log, StandardCharsets.UTF_8));
                    }
                    Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
                    if (m.find()) {
                        port[0] = m.group(1);
                        return true;
                    }
                    return false;
                });
        return new TestRegistry(process, "127.0.0.1:" + port[0], setup.tls() != null);
    }

    /** {@code 127.0.0.1:<port>}, as a reference names the registry. */
    public String host() {
        return host;
    }

    public String base() {
        return (tls ? "https://" : "http://") + host;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

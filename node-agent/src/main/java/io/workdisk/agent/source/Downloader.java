package io.workdisk.agent.source;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.retry.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads a rootfs image to a temporary file, hashing it as it streams, and keeps it only if its
 * SHA-256 matches. A server that stops sending for {@code stallTimeout} is abandoned; redirects are
 * followed (the JDK client stops after five, so a loop ends); a failure that may pass is tried again as
 * its {@link RetryPolicy} says.
 */
public final class Downloader {
    /** The JDK client's own limit (jdk.httpclient.redirects.retrylimit); beyond it the last 3xx is returned. */
    static final int MAX_REDIRECTS = Integer.getInteger("jdk.httpclient.redirects.retrylimit", 5);

    private final HttpClient http;
    private final Duration stallTimeout;
    private final RetryPolicy retries;

    public Downloader(Duration stallTimeout, RetryPolicy retries) {
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        this.stallTimeout = stallTimeout;
        this.retries = retries;
    }

    public static Downloader standard() {
        return new Downloader(Duration.ofSeconds(60), RetryPolicy.standard());
    }

    public Path download(String url, String sha256, Path dir) throws EngineException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new EngineException(
                    Problem.INVALID_PATH, "the seed URL '" + url + "' is not a URL: " + e.getReason());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null) {
            throw new EngineException(
                    Problem.INVALID_PATH, "the seed URL '" + url + "' must be http:// or https:// with a host");
        }
        return retries.run(attempt -> once(uri, sha256, dir));
    }

    private Path once(URI uri, String sha256, Path dir) throws EngineException {
        String url = uri.toString();
        AtomicBoolean stalled = new AtomicBoolean();
        Path target = dir.resolve(".workdisk-download-" + sha256 + "-" + System.nanoTime());
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        try {
            HttpResponse<InputStream> response = answered(uri, url);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            copyWatched(response.body(), target, digest, watchdog, stalled);
            String got = HexFormat.of().formatHex(digest.digest());
            if (!got.equals(sha256)) {
                Files.deleteIfExists(target);
                throw new EngineException(
                        Problem.SOURCE_UNAVAILABLE,
                        "download of " + url + " has SHA-256 " + got + ", not the expected " + sha256 + "; discarded");
            }
            return target;
        } catch (HttpTimeoutException e) {
            deleteQuietly(target);
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    "GET " + url + " sent no response within " + stallTimeout.toSeconds() + "s",
                    e);
        } catch (IOException e) {
            deleteQuietly(target);
            if (stalled.get()) {
                throw new EngineException(
                        Problem.SOURCE_UNAVAILABLE,
                        "download of " + url + " stalled: no data for " + stallTimeout.toSeconds() + "s; discarded",
                        e);
            }
            throw new EngineException(Problem.SOURCE_UNAVAILABLE, "cannot download " + url + ": " + ErrorText.of(e), e);
        } catch (InterruptedException e) {
            deleteQuietly(target);
            Thread.currentThread().interrupt();
            throw new EngineException(Problem.SOURCE_UNAVAILABLE, "download of " + url + " was interrupted", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        } catch (EngineException e) {
            deleteQuietly(target);
            throw e;
        } finally {
            watchdog.shutdownNow();
        }
    }

    /** The response to GET {@code uri}, once its headers say 200; the timeout covers the wait for them. */
    private HttpResponse<InputStream> answered(URI uri, String url)
            throws IOException, InterruptedException, EngineException {
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(uri).timeout(stallTimeout).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 == 3) {
            response.body().close();
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    "GET " + url + " still answered HTTP " + response.statusCode() + " after following " + MAX_REDIRECTS
                            + " redirects (a redirect loop?)");
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, "GET " + url + " answered HTTP " + response.statusCode());
        }
        return response;
    }

    /**
     * Copies the body into {@code target}, hashing it; a body that sends nothing for the stall timeout is
     * closed by the watchdog, which ends the blocked read, and {@code stalled} says so.
     */
    private void copyWatched(
            InputStream body,
            Path target,
            MessageDigest digest,
            ScheduledExecutorService watchdog,
            AtomicBoolean stalled)
            throws IOException {
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        try (InputStream in = body;
                OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
            ScheduledFuture<?> stall = watchdog.scheduleAtFixedRate(
                    () -> {
                        if (System.nanoTime() - lastProgress.get() > stallTimeout.toNanos()) {
                            stalled.set(true);
                            try {
                                in.close();
                            } catch (IOException ignored) {
                                // closing is how the blocked read is ended
                            }
                        }
                    },
                    1,
                    1,
                    TimeUnit.SECONDS);
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                lastProgress.set(System.nanoTime());
            }
            stall.cancel(false);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort; the download directory is swept at start
        }
    }
}

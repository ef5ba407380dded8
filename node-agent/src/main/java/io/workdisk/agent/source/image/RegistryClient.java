package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * The OCI distribution API, as much as pulling needs: manifests by tag or digest (GET, HEAD) and blobs,
 * with the registry's auth challenges answered ({@link RegistryAuth}) and redirects followed by hand, so
 * that the registry's Authorization header never goes to another host (blob storage behind a redirect
 * gets only what its signed URL carries) and an https registry is never followed down to http.
 *
 * <p>Like the HTTP seed source, a server that sends no headers, or no body bytes, for the stall timeout
 * is abandoned with an error that says so. Manifests are read to at most {@link #MAX_MANIFEST_BYTES}.
 */
public final class RegistryClient implements AutoCloseable {
    /** The distribution spec's suggested limit; real manifests are a few KiB. */
    public static final int MAX_MANIFEST_BYTES = 4 << 20;

    static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BODY = 512;

    private final HttpClient http;
    private final RegistryAuth auth;
    private final Duration stallTimeout;
    private final ScheduledExecutorService watchdog;

    private RegistryClient(HttpClient http, RegistryAuth auth, Duration stallTimeout) {
        this.http = http;
        this.auth = auth;
        this.stallTimeout = stallTimeout;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-stall-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    public static RegistryClient create(RegistrySettings settings, Clock clock) throws EngineException {
        RegistryCredentials credentials = settings.dockerConfig() == null
                ? RegistryCredentials.none()
                : RegistryCredentials.read(settings.dockerConfig());
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.stallTimeout())
                .sslContext(RegistryTrust.context(settings.caFile()))
                .build();
        return new RegistryClient(
                http, new RegistryAuth(http, credentials, settings.stallTimeout(), clock), settings.stallTimeout());
    }

    /** A manifest or index as the registry sent it, with the digest of exactly those bytes. */
    public record FetchedManifest(byte[] bytes, String contentType, Digest digest) {}

    /** GET a manifest by tag or digest; one fetched by digest must hash to it. */
    public FetchedManifest manifest(ImageReference image, boolean plainHttp, String reference) throws EngineException {
        URI uri = manifestUri(image, plainHttp, reference);
        HttpResponse<InputStream> response = exchange(image, plainHttp, "GET", uri, MediaTypes.ACCEPT_MANIFESTS);
        String what = "manifest " + image.registry() + "/" + image.repository() + ":" + Printable.printable(reference);
        expectOk(response, what);
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > MAX_MANIFEST_BYTES) {
            closeQuietly(response.body());
            throw tooLarge(what, declared + " bytes");
        }
        BoundedBuffer buffer = new BoundedBuffer(what);
        stream(response, what, buffer);
        byte[] bytes = buffer.bytes();
        // a tag cannot hold a colon: a reference with one is a digest, and the bytes are hashed as it says
        Digest asked = reference.contains(":") ? Digest.parse(reference, what) : null;
        Digest digest = asked == null
                ? sha256(bytes)
                : asked.sameAlgorithm(asked.newHasher().digest(bytes));
        if (asked != null && !asked.equals(digest)) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, what + " has digest " + digest + ", not the one asked for; discarded");
        }
        String type = response.headers()
                .firstValue("Content-Type")
                .map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
                .orElse("");
        return new FetchedManifest(bytes, type, digest);
    }

    /**
     * The digest a tag points to now, from a HEAD's {@code Docker-Content-Digest}; empty if the registry
     * does not say (then the manifest must be fetched and hashed).
     */
    public Optional<Digest> headDigest(ImageReference image, boolean plainHttp, String reference)
            throws EngineException {
        URI uri = manifestUri(image, plainHttp, reference);
        HttpResponse<InputStream> response = exchange(image, plainHttp, "HEAD", uri, MediaTypes.ACCEPT_MANIFESTS);
        closeQuietly(response.body());
        expectOk(response, "manifest " + image + " (HEAD)");
        Optional<String> header = response.headers().firstValue("Docker-Content-Digest");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Digest.parse(header.get().trim(), "the registry's Docker-Content-Digest for " + image));
    }

    /** GET a blob, handing its bytes to {@code sink} as they arrive; the sink checks size and digest. */
    public void blob(ImageReference image, boolean plainHttp, Digest digest, BlobSink sink) throws EngineException {
        URI uri = URI.create(base(image, plainHttp) + "/v2/" + image.repository() + "/blobs/" + digest);
        HttpResponse<InputStream> response = exchange(image, plainHttp, "GET", uri, "*/*");
        String what = "blob " + digest + " of " + image.registry() + "/" + image.repository();
        expectOk(response, what);
        stream(response, what, sink);
    }

    private URI manifestUri(ImageReference image, boolean plainHttp, String reference) {
        return URI.create(base(image, plainHttp) + "/v2/" + image.repository() + "/manifests/" + reference);
    }

    private static String base(ImageReference image, boolean plainHttp) {
        return (plainHttp ? "http://" : "https://") + image.apiHost();
    }

    /**
     * One request, with the auth a 401 asks for (once) and redirects followed; the registry's
     * Authorization goes only to the registry's own scheme, host and port.
     */
    private HttpResponse<InputStream> exchange(
            ImageReference image, boolean plainHttp, String method, URI uri, String accept) throws EngineException {
        String registry = image.registry();
        String scope = "repository:" + image.repository() + ":pull";
        URI current = uri;
        String answer = null;
        for (int hop = 0; hop <= MAX_REDIRECTS; ) {
            boolean registryHost = sameOrigin(current, uri);
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .timeout(stallTimeout)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("Accept", accept);
            Optional<String> authorization = answer != null ? Optional.of(answer) : auth.known(registry, scope);
            if (registryHost) {
                authorization.ifPresent(h -> request.header("Authorization", h));
            }
            HttpResponse<InputStream> response = send(request.build(), method + " " + current);
            int status = response.statusCode();
            if ((status == 401 || status == 403) && registryHost) {
                closeQuietly(response.body());
                if (status == 401 && answer == null) {
                    answer = auth.answer(registry, scope, response.headers().allValues("WWW-Authenticate"), plainHttp);
                    continue;
                }
                auth.forget(registry, scope);
                throw new EngineException(
                        Problem.SOURCE_DENIED,
                        "registry " + registry + " refused " + scope + " (HTTP " + status + ")"
                                + (answer != null ? " even with the credentials it asked for" : ""));
            }
            if (status / 100 == 3 && response.headers().firstValue("Location").isPresent()) {
                closeQuietly(response.body());
                current = redirect(
                        current, response.headers().firstValue("Location").get(), plainHttp);
                hop++;
                continue;
            }
            return response;
        }
        throw new EngineException(
                Problem.SOURCE_UNAVAILABLE,
                method + " " + uri + " was still redirected after " + MAX_REDIRECTS + " redirects (a redirect loop?)");
    }

    private static URI redirect(URI from, String location, boolean plainHttp) throws EngineException {
        URI to;
        try {
            to = from.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    from + " redirected to something that is not a URL: " + Printable.printable(location));
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        boolean allowed = scheme.equals("https") || (scheme.equals("http") && plainHttp);
        if (!allowed || to.getHost() == null) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    from + " redirected to " + Printable.printable(location)
                            + ", which is not https:// with a host (http:// only for a plain-HTTP registry)");
        }
        return to;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private HttpResponse<InputStream> send(HttpRequest request, String what) throws EngineException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, what + " sent no response within " + stallTimeout.toSeconds() + "s", e);
        } catch (SSLException e) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    what + " failed TLS: " + ErrorText.of(e)
                            + " (a registry with a private CA needs that CA: the CA file setting)",
                    e);
        } catch (IOException e) {
            throw new EngineException(Problem.SOURCE_UNAVAILABLE, what + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(Problem.SOURCE_UNAVAILABLE, what + " was interrupted", e);
        }
    }

    private static void expectOk(HttpResponse<InputStream> response, String what) throws EngineException {
        int status = response.statusCode();
        if (status == 200) {
            return;
        }
        String detail = "";
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(MAX_ERROR_BODY);
            detail = body.length == 0
                    ? ""
                    : ": " + Printable.printable(new String(body, StandardCharsets.UTF_8).strip());
        } catch (IOException ignored) {
            // the status says enough
        }
        if (status / 100 == 3) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, what + ": HTTP " + status + " without a Location to follow");
        }
        throw new EngineException(
                Problem.SOURCE_UNAVAILABLE,
                what + ": the registry answered HTTP " + status + (status == 404 ? " (not found)" : "") + detail);
    }

    /** The body into {@code sink}, abandoned if no byte arrives for the stall timeout. */
    private void stream(HttpResponse<InputStream> response, String what, BlobSink sink) throws EngineException {
        AtomicBoolean stalled = new AtomicBoolean();
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        InputStream in = response.body();
        ScheduledFuture<?> stall = watchdog.scheduleAtFixedRate(
                () -> {
                    if (System.nanoTime() - lastProgress.get() > stallTimeout.toNanos()) {
                        stalled.set(true);
                        closeQuietly(in); // closing is how the blocked read is ended
                    }
                },
                Math.min(1000, stallTimeout.toMillis()),
                Math.min(1000, stallTimeout.toMillis()),
                TimeUnit.MILLISECONDS);
        try (in) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                lastProgress.set(System.nanoTime());
                if (n > 0) {
                    sink.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            if (stalled.get()) {
                throw new EngineException(
                        Problem.SOURCE_UNAVAILABLE,
                        what + " stalled: no data for " + stallTimeout.toSeconds() + "s; discarded",
                        e);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new EngineException(Problem.SOURCE_UNAVAILABLE, what + ": download interrupted", e);
            }
            throw new EngineException(Problem.SOURCE_UNAVAILABLE, what + ": download failed: " + e, e);
        } finally {
            stall.cancel(false);
        }
    }

    static Digest sha256(byte[] bytes) {
        return Digest.sha256Of(bytes);
    }

    private static EngineException tooLarge(String what, String size) {
        return new EngineException(
                Problem.SOURCE_INVALID,
                what + " is " + size + ", more than the " + (MAX_MANIFEST_BYTES >> 20)
                        + " MiB a manifest may be; refused unread");
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to read from it either way
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    /** A manifest's bytes, refused past the limit rather than kept growing. */
    private static final class BoundedBuffer implements BlobSink {
        private final String what;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        BoundedBuffer(String what) {
            this.what = what;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws EngineException {
            if (bytes.size() + (long) length > MAX_MANIFEST_BYTES) {
                throw tooLarge(what, "over " + MAX_MANIFEST_BYTES + " bytes");
            }
            bytes.write(buffer, offset, length);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}

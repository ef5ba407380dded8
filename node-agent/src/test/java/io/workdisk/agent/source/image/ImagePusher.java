package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Function;

/**
 * Pushes blobs and manifests to a test registry over the distribution API (monolithic blob uploads,
 * manifest PUTs), as the test's own setup: the code under test only ever pulls.
 */
public final class ImagePusher {
    private final String base;
    private final HttpClient http;
    private final Function<String, String> authorization;

    /** @param authorization the Authorization header for a repository, or null for none */
    public ImagePusher(String base, HttpClient http, Function<String, String> authorization) {
        this.base = base;
        this.http = http;
        this.authorization = authorization;
    }

    Digest blob(String repository, byte[] content) {
        Digest digest = RegistryClient.sha256(content);
        HttpResponse<String> start = send(
                request(repository, URI.create(base + "/v2/" + repository + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                202);
        String location = start.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(base).resolve(location);
        String sep = upload.toString().contains("?") ? "&" : "?";
        send(
                request(repository, URI.create(upload + sep + "digest=" + digest))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
                        .build(),
                201);
        return digest;
    }

    Digest manifest(String repository, String reference, String mediaType, byte[] body) {
        send(
                request(repository, URI.create(base + "/v2/" + repository + "/manifests/" + reference))
                        .header("Content-Type", mediaType)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                201);
        return RegistryClient.sha256(body);
    }

    private HttpRequest.Builder request(String repository, URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        String header = authorization.apply(repository);
        if (header != null) {
            b.header("Authorization", header);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new AssertionError(request.method() + " " + request.uri() + " answered " + r.statusCode()
                        + " (expected " + expected + "): " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

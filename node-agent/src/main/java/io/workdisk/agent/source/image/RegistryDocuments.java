package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.oci.BlobSource;
import io.workdisk.agent.engine.oci.Descriptor;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.Document;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.io.ByteArrayOutputStream;

/**
 * One image's documents in a registry, by digest, for the {@link io.workdisk.agent.engine.oci.IndexWalk}:
 * indexes and manifests from the manifests endpoint (which hashes them to the digest asked for), a
 * config (read only where an index names no platform) from the blobs endpoint, hashed here. Bytes that
 * do not match their digest are {@code SOURCE_UNAVAILABLE}: a proxy or a network may have mangled them,
 * and the next try may not.
 */
final class RegistryDocuments implements BlobSource {
    private final RegistryClient client;
    private final ImageReference image;
    private final boolean plainHttp;

    RegistryDocuments(RegistryClient client, ImageReference image, boolean plainHttp) {
        this.client = client;
        this.image = image;
        this.plainHttp = plainHttp;
    }

    /** The document the reference itself names: an index or a manifest. */
    Document top() throws EngineException {
        RegistryClient.FetchedManifest top = client.manifest(image, plainHttp, image.manifestReference());
        return Document.named(
                top.digest(), top.bytes(), top.contentType(), "manifest " + top.digest() + " of " + image);
    }

    @Override
    public Document fetch(Descriptor descriptor, String what) throws EngineException {
        if (MediaTypes.isIndex(descriptor.mediaType()) || MediaTypes.isManifest(descriptor.mediaType())) {
            RegistryClient.FetchedManifest m =
                    client.manifest(image, plainHttp, descriptor.digest().toString());
            return Document.named(m.digest(), m.bytes(), m.contentType(), what);
        }
        Digest digest = descriptor.digest();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        client.blob(image, plainHttp, digest, (buffer, offset, length) -> {
            if (bytes.size() + (long) length > descriptor.size()) {
                throw new EngineException(
                        Problem.SOURCE_UNAVAILABLE,
                        "blob " + digest + " is longer than the " + descriptor.size()
                                + " bytes its descriptor says; cut off and discarded");
            }
            bytes.write(buffer, offset, length);
        });
        byte[] data = bytes.toByteArray();
        if (!digest.matches(data)) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE, what + " of " + image + " does not match its digest; discarded");
        }
        return Document.named(digest, data, descriptor.mediaType(), what);
    }

    @Override
    public String name() {
        return "image " + image;
    }
}

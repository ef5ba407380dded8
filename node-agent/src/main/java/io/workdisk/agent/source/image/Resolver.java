package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.shared.EngineException;

/**
 * Turns a tag into the digest it points to now, once per seed, so that every node builds the same
 * image even if the tag moves meanwhile. Asks with HEAD (no body, and on Docker Hub no pull counted);
 * a registry that gives no {@code Docker-Content-Digest} is asked with GET and the bytes are hashed.
 */
public final class Resolver {
    private final RegistryClient client;

    public Resolver(RegistryClient client) {
        this.client = client;
    }

    /** The digest of what {@code image} names: the one it carries, else what its tag points to. */
    public Digest resolve(ImageReference image, boolean plainHttp) throws EngineException {
        if (image.digest() != null) {
            return image.digest();
        }
        var head = client.headDigest(image, plainHttp, image.tag());
        if (head.isPresent()) {
            return head.get();
        }
        return client.manifest(image, plainHttp, image.tag()).digest();
    }
}

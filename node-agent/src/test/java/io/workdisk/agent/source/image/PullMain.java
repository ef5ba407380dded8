package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.source.retry.RetryPolicy;
import java.nio.file.Path;
import java.time.Clock;

/** A pull in a JVM of its own, so a test can SIGKILL it mid-blob: {@code CACHE_DIR REFERENCE OS/ARCH}. */
public final class PullMain {
    private PullMain() {}

    public static void main(String[] args) throws Exception {
        try (RegistryClient client = RegistryClient.create(RegistrySettings.standard(), Clock.systemUTC())) {
            LayerCache cache = LayerCache.open(Path.of(args[0]), 1L << 30, Clock.systemUTC());
            try (PulledImage image = new ImagePuller(client, cache, RetryPolicy.immediate(1), 1)
                    .pull(ImageReference.parse(args[1]), Platform.parse(args[2]), true, (f, t) -> {})) {
                System.out.println("pulled " + image.manifestDigest());
            }
        }
    }
}

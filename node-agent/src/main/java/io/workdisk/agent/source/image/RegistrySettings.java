package io.workdisk.agent.source.image;

import io.workdisk.agent.source.retry.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How this agent talks to registries, whatever the image: whose credentials, which extra CAs, how long
 * a silent server is waited for, how often a failed blob is tried.
 *
 * @param dockerConfig a docker config.json with logins, or null for anonymous access only
 * @param caFile a PEM bundle of CA certificates trusted besides the JDK's, or null
 * @param stallTimeout how long a server may send nothing (headers or body) before it is abandoned
 * @param retries how a blob whose fetch failed is tried again within the step
 */
public record RegistrySettings(Path dockerConfig, Path caFile, Duration stallTimeout, RetryPolicy retries) {
    /** Anonymous, the JDK's CAs, the HTTP source's 60 s stall limit and the standard retries. */
    public static RegistrySettings standard() {
        return new RegistrySettings(null, null, Duration.ofSeconds(60), RetryPolicy.standard());
    }

    public RegistrySettings withDockerConfig(Path file) {
        return new RegistrySettings(file, caFile, stallTimeout, retries);
    }

    public RegistrySettings withCaFile(Path file) {
        return new RegistrySettings(dockerConfig, file, stallTimeout, retries);
    }

    public RegistrySettings withStallTimeout(Duration timeout) {
        return new RegistrySettings(dockerConfig, caFile, timeout, retries);
    }

    public RegistrySettings withAttempts(int count) {
        return new RegistrySettings(dockerConfig, caFile, stallTimeout, retries.withAttempts(count));
    }
}

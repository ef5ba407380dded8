package io.workdisk.agent.source.image;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How this agent talks to registries, whatever the image: whose credentials, which extra CAs, how long
 * a silent server is waited for, how often a failed blob is tried.
 *
 * @param dockerConfig a docker config.json with logins, or null for anonymous access only
 * @param caFile a PEM bundle of CA certificates trusted besides the JDK's, or null
 * @param stallTimeout how long a server may send nothing (headers or body) before it is abandoned
 * @param attempts how many times a blob is fetched before its failure is reported
 */
public record RegistrySettings(Path dockerConfig, Path caFile, Duration stallTimeout, int attempts) {
    public RegistrySettings {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
    }

    /** Anonymous, the JDK's CAs, the HTTP source's 60 s stall limit and 3 attempts. */
    public static RegistrySettings standard() {
        return new RegistrySettings(null, null, Duration.ofSeconds(60), 3);
    }

    public RegistrySettings withDockerConfig(Path file) {
        return new RegistrySettings(file, caFile, stallTimeout, attempts);
    }

    public RegistrySettings withCaFile(Path file) {
        return new RegistrySettings(dockerConfig, file, stallTimeout, attempts);
    }

    public RegistrySettings withStallTimeout(Duration timeout) {
        return new RegistrySettings(dockerConfig, caFile, timeout, attempts);
    }

    public RegistrySettings withAttempts(int count) {
        return new RegistrySettings(dockerConfig, caFile, stallTimeout, count);
    }
}

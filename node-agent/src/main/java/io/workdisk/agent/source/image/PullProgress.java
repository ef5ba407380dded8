package io.workdisk.agent.source.image;

/**
 * Hears how far a pull is: bytes of blobs fetched or found in the cache, of the total the manifest
 * declares. Called as bytes arrive, from the threads fetching layers, one call at a time; a blob that
 * fails and is fetched again takes back what it had counted.
 */
@FunctionalInterface
public interface PullProgress {
    PullProgress NONE = (fetched, total) -> {};

    void update(long fetched, long total);
}

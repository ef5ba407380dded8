package io.workdisk.agent.engine.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A layer blob that may still be arriving (a registry pull in progress), so a build can read it while it
 * downloads. Which file holds it changes as the fetch goes on (a temporary file, then its place in the
 * cache) and a failed attempt may be started over; {@code attempt} tells readers a restart happened, as
 * the bytes they already read came from an attempt that failed.
 */
public interface Arriving {
    /** The {@code bytes} at the start of {@code file} are in place; {@code whole} once all are and verified. */
    record Part(Path file, long bytes, int attempt, boolean whole) {}

    /**
     * Waits until more than {@code have} bytes are in place or the blob is whole, and says where they are;
     * fails with the fetch's own failure once it has given up.
     */
    Part await(long have) throws IOException, InterruptedException;
}

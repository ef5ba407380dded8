package io.workdisk.agent.engine.image;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@link InputStream#read()} for streams whose work is all in {@code read(byte[], int, int)}: a filter's
 * inherited one-byte read would bypass what the filter does (bounding, counting, following a download).
 */
final class OneByte {
    private OneByte() {}

    static int read(InputStream stream) throws IOException {
        byte[] one = new byte[1];
        return stream.read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }
}

package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.image.Arrival;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * The {@link LayerCache}'s sink for a blob being fetched: a temporary file under {@code incoming/} that
 * hashes and counts what it is given and refuses a byte past the size.
 */
final class VerifyingFile implements BlobSink, AutoCloseable {
    private final Path path;
    private final Digest expected;
    private final long size;
    private final LongConsumer progress;
    private final Arrival arrival;
    private final FileChannel out;
    private final MessageDigest hasher;
    private long written;

    VerifyingFile(Path path, Digest expected, long size, LongConsumer progress, Arrival arrival) throws IOException {
        this.path = path;
        this.arrival = arrival;
        this.expected = expected;
        this.size = size;
        this.progress = progress;
        this.out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.hasher = expected.newHasher();
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws EngineException {
        if (written + length > size) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    "blob " + expected + " is longer than the " + size
                            + " bytes its descriptor says; cut off and discarded");
        }
        hasher.update(buffer, offset, length);
        try {
            ByteBuffer chunk = ByteBuffer.wrap(buffer, offset, length);
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        } catch (IOException e) {
            throw LayerCache.writeFailure(expected, e);
        }
        written += length;
        progress.accept(length);
        arrival.written(written);
    }

    void finish() throws EngineException, IOException {
        if (written < size) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    "blob " + expected + " ended after " + written + " of its " + size
                            + " bytes (truncated); discarded");
        }
        Digest got = expected.sameAlgorithm(hasher.digest());
        if (!got.equals(expected)) {
            throw new EngineException(
                    Problem.SOURCE_UNAVAILABLE,
                    "blob has digest " + got + ", not the expected " + expected + "; discarded");
        }
        out.force(true); // the data is on disk before its name is
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Digest;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One layer of an image: its digest (of the stored, possibly compressed bytes), media type, and where
 * those bytes are: a whole blob file (a layer cache) or a slice of an uncompressed archive (an OCI
 * layout or docker save tar), read in place. {@code diffId}, when the image's config names it, is the
 * digest of the uncompressed tar and is verified too. {@code headers}, where the layer's store keeps
 * one, is the file for the {@link LayerHeaders} record of its tar headers. {@code arriving}, for a blob
 * a pull is still fetching, says how much of it is in place so far and where; {@code file} is where it
 * will be once whole. It is the one layer type of the agent: the archive reader and the registry
 * pull both make these, and the engine applies them.
 */
public record Layer(
        Digest digest,
        String mediaType,
        Path file,
        long offset,
        long size,
        Optional<Digest> diffId,
        Optional<Path> headers,
        Optional<Arriving> arriving) {
    /** A verified blob in a file of its own, as a layer cache holds it. */
    public static Layer blob(Digest digest, String mediaType, Path file, long size) {
        return new Layer(digest, mediaType, file, 0, size, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A blob stored inside an uncompressed archive at {@code offset}. */
    public static Layer inArchive(Digest digest, String mediaType, Path archive, long offset, long size) {
        return new Layer(
                digest, mediaType, archive, offset, size, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Layer withDiffId(Digest diffId) {
        return new Layer(digest, mediaType, file, offset, size, Optional.of(diffId), headers, arriving);
    }

    /** The same layer, its headers recorded in (and replayed from) {@code record}. */
    public Layer withHeaders(Path record) {
        return new Layer(digest, mediaType, file, offset, size, diffId, Optional.of(record), arriving);
    }

    /** The same layer, read as {@code source} says while it arrives. */
    public Layer arriving(Arriving source) {
        return new Layer(digest, mediaType, file, offset, size, diffId, headers, Optional.of(source));
    }

    /** The same layer with its diff ID left unchecked: for a read that checks the stored digest only. */
    public Layer storedOnly() {
        return new Layer(digest, mediaType, file, offset, size, Optional.empty(), Optional.empty(), arriving);
    }

    /**
     * How the stored bytes are compressed, from the one table of layer media types; null for a type not
     * in it, which the engine refuses when it reads the layer.
     */
    public Compression compression() {
        return Compression.known(mediaType) ? Compression.ofKnown(mediaType) : null;
    }
}

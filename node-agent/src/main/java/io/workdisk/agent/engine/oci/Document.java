package io.workdisk.agent.engine.oci;

/**
 * A JSON document of an image (index, manifest or config) as its source gave it.
 *
 * @param digest what its bytes hash to; null for an archive's {@code index.json}, which nothing names
 * @param contentType the media type its source gave beside it (a registry's Content-Type, the
 *     descriptor's in an archive), or null when none was given
 * @param what names it in errors
 */
public record Document(Digest digest, byte[] bytes, String contentType, String what) {
    /** A document its source named by digest. */
    public static Document named(Digest digest, byte[] bytes, String contentType, String what) {
        return new Document(digest, bytes, contentType, what);
    }

    /** The top document of an archive, {@code index.json}: no digest names it. */
    public static Document unnamed(byte[] bytes, String what) {
        return new Document(null, bytes, null, what);
    }
}

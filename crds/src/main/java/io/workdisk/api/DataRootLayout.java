package io.workdisk.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where images live under a node agent's data root, as the operator names them in tasks and the agent
 * creates, lists and reports them: part of the contract between the two, so it is written here once.
 * Paths are relative to the data root (the agent resolves and confines them); names come from the
 * owning object, so an administrator can tell from a file whose it is.
 *
 * <p>Plain Java with no Kubernetes types, so the node agent's disk engine may use it too. This is only
 * the contract: the agent's {@code DataDirectories} makes these directories on disk, and its
 * {@code ConfinedRoot} keeps every write inside the root.
 */
public final class DataRootLayout {
    /** WorkDisk images, one per disk, named by the WorkDisk's UID (names may be reused; UIDs are not). */
    public static final String DISKS = "disks";
    /** WorkSeed images, one per seed, named by the WorkSeed's name (cluster-scoped, so unique). */
    public static final String SEEDS = "seeds";
    /** Rootfs images being downloaded for a seed build. */
    public static final String DOWNLOADS = "downloads";
    /**
     * The node's cache of container image blobs (layers, configs), shared by all seeds: each verified
     * blob at its content address {@code layers/blobs/sha256/<hex>}, never anything unverified there.
     */
    public static final String LAYERS = "layers";
    /** Under {@link #LAYERS}: verified blobs, each named by its SHA-256. */
    public static final String LAYER_BLOBS = "blobs/sha256";
    /** Under {@link #LAYERS}: blobs being fetched, never trusted, removed when the cache is opened. */
    public static final String LAYER_INCOMING = "incoming";
    /**
     * Under {@link #LAYERS}: what one read of a cached layer found (its tar headers), named by the layer
     * blob's SHA-256, so later builds from it need not read it for them; goes with its blob.
     */
    public static final String LAYER_HEADERS = "headers/sha256";
    /** Every image is an ext4 filesystem in a file of this suffix. */
    public static final String IMAGE_SUFFIX = ".ext4";
    /** The longest file name Linux filesystems take, in bytes. */
    public static final int MAX_FILE_NAME_BYTES = 255;
    /** Hex characters of the digest that keeps a shortened seed file name unique. */
    private static final int NAME_DIGEST_CHARS = 16;

    private DataRootLayout() {}

    /** A WorkDisk's image, from the WorkDisk's UID. */
    public static String diskPath(String diskUid) {
        return DISKS + "/" + diskUid + IMAGE_SUFFIX;
    }

    /**
     * A WorkSeed's image, named after the WorkSeed. A name may be 253 characters and a file name only 255
     * bytes, so a name too long for the suffix is shortened and made unique again with a digest of the
     * whole name. WorkSeed names are DNS subdomains (ASCII), so characters are bytes.
     */
    public static String seedPath(String seedName) {
        String file = seedName + IMAGE_SUFFIX;
        if (file.length() > MAX_FILE_NAME_BYTES) {
            int keep = MAX_FILE_NAME_BYTES - IMAGE_SUFFIX.length() - NAME_DIGEST_CHARS - 1;
            file = seedName.substring(0, keep) + "-" + digest(seedName) + IMAGE_SUFFIX;
        }
        return SEEDS + "/" + file;
    }

    /** Where the layer cache keeps a verified blob of this SHA-256 (64 lower-case hex digits). */
    public static String blobPath(String sha256Hex) {
        return LAYERS + "/" + LAYER_BLOBS + "/" + sha256Hex;
    }

    /** The name an image file stands for (a disk's UID, a seed's possibly shortened name). */
    public static String imageName(String fileName) {
        return fileName.endsWith(IMAGE_SUFFIX)
                ? fileName.substring(0, fileName.length() - IMAGE_SUFFIX.length())
                : fileName;
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, NAME_DIGEST_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}

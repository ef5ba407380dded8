package io.workdisk.agent.engine.oci;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A content address as OCI writes it: {@code sha256:} and 64 lower-case hex digits, or {@code sha512:}
 * and 128. The registry client, the layer cache and the archive reader all take this one type, so a
 * digest is checked for form once, where it is read, and every blob is verified with the hash its
 * digest names. Any other algorithm is refused: a digest the agent cannot check is one it must not trust.
 */
public record Digest(String algorithm, String hex) {
    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";
    private static final Pattern HEX_256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX_512 = Pattern.compile("[0-9a-f]{128}");

    public Digest {
        if (!valid(algorithm, hex)) {
            throw new IllegalArgumentException("not a sha256 or sha512 digest: " + algorithm + ":" + hex);
        }
    }

    /** The SHA-256 a blob was just hashed to. */
    public static Digest ofHex(String hex) {
        return new Digest(SHA256, hex);
    }

    /** The SHA-256 of {@code bytes}. */
    public static Digest sha256Of(byte[] bytes) {
        return ofHex(HexFormat.of().formatHex(hasher(SHA256).digest(bytes)));
    }

    /**
     * {@code sha256:<hex>} or {@code sha512:<hex>} from a manifest, an index, a config, a header or a
     * reference; {@code what} names it in the error.
     */
    public static Digest parse(String text, String what) throws EngineException {
        if (text == null) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " has no digest");
        }
        int colon = text.indexOf(':');
        String algorithm = colon < 0 ? "" : text.substring(0, colon);
        String hex = text.substring(colon + 1);
        if (!valid(algorithm, hex)) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has digest '" + Printable.printable(abbreviated(text))
                            + "', which is not sha256: and 64 lower-case hex digits (or sha512: and 128); only"
                            + " digests the agent verifies are taken");
        }
        return new Digest(algorithm, hex);
    }

    private static boolean valid(String algorithm, String hex) {
        if (hex == null) {
            return false;
        }
        return SHA256.equals(algorithm) && HEX_256.matcher(hex).matches()
                || SHA512.equals(algorithm) && HEX_512.matcher(hex).matches();
    }

    /** A fresh hash of the algorithm this digest names, to verify bytes as they stream. */
    public MessageDigest newHasher() {
        return hasher(algorithm);
    }

    /** The digest of the same algorithm that {@code hash} (from {@link #newHasher()}) spells. */
    public Digest sameAlgorithm(byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** Whether {@code bytes} hash to this digest. */
    public boolean matches(byte[] bytes) {
        return equals(sameAlgorithm(newHasher().digest(bytes)));
    }

    /**
     * {@code bytes}, checked against this digest: a blob that is not what its digest names is refused as
     * corrupt, whoever served it.
     */
    public byte[] verify(byte[] bytes, String what) throws EngineException {
        if (!matches(bytes)) {
            throw new EngineException(
                    Problem.CORRUPT_IMAGE,
                    what + " " + this + " does not match its digest (got "
                            + sameAlgorithm(newHasher().digest(bytes)) + ")");
        }
        return bytes;
    }

    /** Where the blob is in an OCI image layout: {@code blobs/<algorithm>/<hex>}. */
    public String layoutPath() {
        return "blobs/" + algorithm + "/" + hex;
    }

    /**
     * The name a store on disk keeps the blob under: the bare hex for sha256, as layer caches written
     * before sha512 was taken have it, else {@code sha512-<hex>}.
     */
    public String fileName() {
        return SHA256.equals(algorithm) ? hex : algorithm + "-" + hex;
    }

    /** The digest a store's file name spells ({@link #fileName()}), or empty for any other name. */
    public static Optional<Digest> ofFileName(String name) {
        int dash = name.indexOf('-');
        String algorithm = dash < 0 ? SHA256 : name.substring(0, dash);
        String hex = name.substring(dash + 1);
        return valid(algorithm, hex) ? Optional.of(new Digest(algorithm, hex)) : Optional.empty();
    }

    private static MessageDigest hasher(String algorithm) {
        try {
            return MessageDigest.getInstance(SHA512.equals(algorithm) ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256 and SHA-512", e);
        }
    }

    private static String abbreviated(String text) {
        return text.length() > 140 ? text.substring(0, 140) + "..." : text;
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}

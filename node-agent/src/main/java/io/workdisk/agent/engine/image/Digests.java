package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests as OCI writes them: "sha256:" and 64 hex digits (or sha512 and 128). */
final class Digests {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("sha512:[0-9a-f]{128}");

    private Digests() {}

    /** Checks the form of an untrusted digest, so it is safe to use in a blob path and a message. */
    static String check(String digest, String what) throws EngineException {
        if (digest == null
                || !(SHA256.matcher(digest).matches() || SHA512.matcher(digest).matches())) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    what + " has no valid digest ('" + abbreviate(digest) + "'; expected sha256:<64 hex digits>)");
        }
        return digest;
    }

    static MessageDigest newDigest(String digest) {
        try {
            return MessageDigest.getInstance(digest.startsWith("sha512:") ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256/512", e);
        }
    }

    static String of(String algorithmOf, byte[] data) {
        MessageDigest md = newDigest(algorithmOf);
        return format(algorithmOf, md.digest(data));
    }

    static String format(String algorithmOf, byte[] hash) {
        return (algorithmOf.startsWith("sha512:") ? "sha512:" : "sha256:")
                + HexFormat.of().formatHex(hash);
    }

    /** The blob's path inside an OCI image layout. */
    static String blobPath(String digest) {
        int colon = digest.indexOf(':');
        return "blobs/" + digest.substring(0, colon) + "/" + digest.substring(colon + 1);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "none";
        }
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}

package io.workdisk.api.task;

/**
 * An image reference as users write it, taken apart only as far as the operator needs: whether it is
 * pinned by digest, and its name pinned to a digest. The registry client reads the rest (registry host,
 * Docker Hub defaults).
 */
public record ImageReference(String name, String tag, String digest) {
    private static final String HOST_PART = "[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?";
    private static final String PATH_PART = "[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*";

    /**
     * The reference grammar of the distribution project, in the subset both Go's RE2 (the API server) and
     * Java read: [host[:port]/]path[:tag][@sha256:hex]. Only sha256 digests: the agents verify with it.
     */
    public static final String PATTERN = "^(" + HOST_PART + "(\\." + HOST_PART + ")*(:[0-9]+)?/)?"
            + PATH_PART + "(/" + PATH_PART + ")*"
            + "(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?"
            + "(@sha256:[a-f0-9]{64})?$";

    /** A sha256 digest as registries write it. */
    public static final String DIGEST_PATTERN = "^sha256:[a-f0-9]{64}$";

    /** {@code reference} taken apart; throws when it does not match {@link #PATTERN}. */
    public static ImageReference parse(String reference) {
        if (reference == null || !reference.matches(PATTERN)) {
            throw new IllegalArgumentException("not an image reference: " + reference);
        }
        return split(reference);
    }

    /**
     * {@code reference} cut at its digest ({@code @}) and its tag (a colon after the last {@code /}, so a
     * registry's port is not one), each part as written and not checked: for readers that check the parts
     * themselves, such as the registry client, which names the part that is wrong.
     */
    public static ImageReference split(String reference) {
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        return new ImageReference(rest, tag, digest);
    }

    /** Whether the reference names its content by digest, so it needs no resolving. */
    public boolean pinned() {
        return digest != null;
    }

    /** The name pinned to {@code digest}: {@code name@sha256:...}, the tag dropped (the digest decides). */
    public String pinned(String digest) {
        if (digest == null || !digest.matches(DIGEST_PATTERN)) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return name + "@" + digest;
    }

    /** {@code sha256:0123456789ab}: a digest cut to 12 hex digits, as tools show it. */
    public static String shortDigest(String digest) {
        if (digest == null) {
            return null;
        }
        int colon = digest.indexOf(':');
        return digest.length() > colon + 13 ? digest.substring(0, colon + 13) : digest;
    }
}

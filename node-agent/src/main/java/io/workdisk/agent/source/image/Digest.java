package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.util.regex.Pattern;

/**
 * A content address, {@code sha256:<64 lower-case hex>}. Only SHA-256 is taken: it is what every
 * registry and image tool writes, and a digest the agent cannot check is one it must not trust.
 */
public record Digest(String hex) {
    public static final String ALGORITHM = "sha256";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not 64 lower-case hex digits: " + hex);
        }
    }

    /** The SHA-256 a blob was just hashed to. */
    public static Digest ofHex(String hex) {
        return new Digest(hex);
    }

    /** {@code sha256:<hex>} from a manifest, a header or a reference; {@code what} names it in the error. */
    public static Digest parse(String text, String what) throws EngineException {
        if (text == null) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " has no digest");
        }
        int colon = text.indexOf(':');
        String algorithm = colon < 0 ? "" : text.substring(0, colon);
        if (!ALGORITHM.equals(algorithm)) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has digest '" + Printable.printable(text) + "': only sha256:<hex> digests are verified");
        }
        String hex = text.substring(colon + 1);
        if (!HEX.matcher(hex).matches()) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has digest '" + Printable.printable(text)
                            + "', which is not sha256: and 64 lower-case hex digits");
        }
        return new Digest(hex);
    }

    @Override
    public String toString() {
        return ALGORITHM + ":" + hex;
    }
}

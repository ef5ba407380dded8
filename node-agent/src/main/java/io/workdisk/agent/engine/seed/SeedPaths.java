package io.workdisk.agent.engine.seed;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Paths inside a seed are bytes, and need not be UTF-8. Where a path is a map key it is held as a string
 * of one char per byte (ISO-8859-1), so every byte sequence maps to exactly one key and back.
 */
public final class SeedPaths {
    private SeedPaths() {}

    public static String key(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    public static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The name as UTF-8 text, or null when the bytes are not valid UTF-8. */
    public static String utf8OrNull(byte[] raw) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** For messages: UTF-8 text as is, control characters and bytes that are not UTF-8 as \xNN. */
    public static String printable(byte[] raw) {
        String text = utf8OrNull(raw);
        StringBuilder sb = new StringBuilder();
        if (text != null) {
            text.codePoints().forEach(c -> {
                if (c < 0x20 || c == 0x7f) {
                    sb.append(String.format("\\x%02x", c));
                } else {
                    sb.appendCodePoint(c);
                }
            });
            return sb.toString();
        }
        for (byte b : raw) {
            int c = b & 0xFF;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}

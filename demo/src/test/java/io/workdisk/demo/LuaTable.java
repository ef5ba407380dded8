package io.workdisk.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * A JSON object as a Lua 5.1 table constructor, the way Argo CD hands an object to a health check: objects
 * become tables keyed by field name, arrays sequences from 1, JSON null no field at all (Argo CD's conversion
 * drops it; a JSON decoder in Lua would make it a sentinel that is not nil). Chosen over lua-cjson for that
 * reason, and because it needs nothing installed but the interpreter.
 */
final class LuaTable {
    private LuaTable() {}

    /** {@code return { ... }}: a chunk that evaluates to the object. */
    static String chunk(JsonNode object) {
        StringBuilder out = new StringBuilder("return ");
        write(object, out);
        return out.append('\n').toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            out.append('{');
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isNull()) {
                    continue;
                }
                out.append('[');
                string(field.getKey(), out);
                out.append("]=");
                write(field.getValue(), out);
                out.append(',');
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('{');
            for (JsonNode item : node) {
                write(item, out);
                out.append(',');
            }
            out.append('}');
        } else if (node.isTextual()) {
            string(node.textValue(), out);
        } else if (node.isNumber() || node.isBoolean()) {
            out.append(node.asText());
        } else {
            out.append("nil");
        }
    }

    /** A quoted Lua string: printable ASCII as itself, every other byte of its UTF-8 as a decimal escape. */
    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append((char) c);
            } else {
                out.append('\\').append(String.format("%03d", c));
            }
        }
        out.append('"');
    }
}

package io.workdisk.agent.engine.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;

/**
 * A reference to a blob or a manifest, as manifests and indexes hold them: what it is, its content
 * address, and its size, which bounds how many bytes the agent will read for it.
 *
 * @param platform the platform an index entry is for, or null
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform) {
    /** A descriptor from manifest JSON; {@code what} names it in errors ("layer 2 of ..."). */
    public static Descriptor read(JsonNode node, String what) throws EngineException {
        if (node == null || !node.isObject()) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " is not a descriptor object");
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " has no valid size");
        }
        JsonNode media = node.get("mediaType");
        return new Descriptor(
                media == null ? null : media.asText(),
                Digest.parse(textOrNull(node.get("digest")), what),
                size.asLong(),
                platform(node.get("platform")));
    }

    private static Platform platform(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        return new Platform(
                node.path("os").asText(""),
                node.path("architecture").asText(""),
                emptyToNull(textOrNull(node.get("variant"))));
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}

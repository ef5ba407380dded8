package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.workdisk.api.task.ImageReference;

/** What an image reference named when it was resolved: the digest every node builds from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResolvedImage(
        @JsonPropertyDescription("spec.source.image.reference as it was when resolved.")
        String reference,

        @JsonPropertyDescription("The manifest (or multi-platform index) digest it named, sha256:...; every node "
                + "builds from reference@digest.")
        String digest,

        @JsonPropertyDescription("When it was resolved, in RFC 3339 UTC to the second; absent for a reference "
                + "pinned by digest, which needs no resolving.")
        String resolvedAt,

        @JsonPropertyDescription("The node whose agent resolved it, with that node's registry credentials.")
        String node,

        @JsonPropertyDescription("The value of the annotation workdisk.io/resolve-image it answered, if any: "
                + "setting the annotation to a new value resolves the tag again.")
        String request,

        @JsonPropertyDescription("The digest cut to 12 hex digits, for kubectl get.")
        String shortDigest) {

    /** A tag resolved by {@code node}'s agent at {@code at}, on the annotation value {@code request}. */
    public static ResolvedImage resolved(String reference, String digest, String at, String node, String request) {
        return new ResolvedImage(reference, digest, at, node, request, ImageReference.shortDigest(digest));
    }

    /** A reference that names its digest itself. */
    public static ResolvedImage pinned(String reference, String request) {
        String digest = ImageReference.parse(reference).digest();
        return new ResolvedImage(reference, digest, null, null, request, ImageReference.shortDigest(digest));
    }
}

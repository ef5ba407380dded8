package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A container image in an OCI registry, pulled by each node's agent with the node's own registry credentials. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageSource(
        @Required
        @Size(max = 512)
        @Pattern(ImageReference.PATTERN)
        @JsonPropertyDescription("The image: registry/repository:tag or registry/repository@sha256:DIGEST (e.g. "
                + "registry.example/base/debian:12; no registry means docker.io, no tag means latest). A tag is "
                + "resolved to a digest once, recorded in status.resolvedImage, and every node builds from that "
                + "digest; it is resolved again only when this reference changes or the annotation "
                + "workdisk.io/resolve-image changes.")
        String reference,

        @Size(max = 64)
        @Pattern("^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")
        @JsonPropertyDescription("os/arch[/variant] to take from a multi-platform image, e.g. linux/arm64/v8 "
                + "(default: each node's own os/arch).")
        String platform,

        @JsonPropertyDescription("true: talk to the registry over plain HTTP, for registries without TLS.")
        Boolean plainHTTP) {

    /** The image at {@code reference}, for each node's own platform, over TLS. */
    public static ImageSource of(String reference) {
        return new ImageSource(reference, null, null);
    }

    /** The same image, named by {@code digest} ({@code sha256:...}) rather than a tag. */
    public ImageSource pinnedTo(String digest) {
        return new ImageSource(ImageReference.parse(reference).pinned(digest), platform, plainHTTP);
    }
}

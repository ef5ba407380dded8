package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An image archive already on the nodes: an OCI image layout tar or a {@code docker save} tar. */
public record OciArchiveSource(
        @Required
        @Size(max = 4096)
        @Pattern("^/")
        @JsonPropertyDescription("Absolute path of an OCI image layout tar or a docker save tar on each node; must "
                + "be inside one of the agent's --image-dir directories.")
        String path) {}

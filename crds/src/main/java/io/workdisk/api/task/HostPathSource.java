package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A rootfs image already on the nodes. */
public record HostPathSource(
        @Required
        @Size(max = 4096)
        @Pattern("^/")
        @JsonPropertyDescription(
                "Absolute path of the rootfs ext4 image on each node; must be inside one of the agent's --image-dir directories.")
        String path) {}

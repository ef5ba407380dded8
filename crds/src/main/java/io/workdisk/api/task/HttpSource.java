package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A rootfs image each node downloads and verifies. */
public record HttpSource(
        @Required
        @Size(max = 2048)
        @Pattern("^https?://")
        @JsonPropertyDescription("http(s) URL of the rootfs ext4 image; each node downloads it itself.")
        String url,

        @Required
        @Pattern("^[a-f0-9]{64}$")
        @JsonPropertyDescription("Lower-case hex SHA-256 of the image; a download that does not match is discarded.")
        String sha256) {}

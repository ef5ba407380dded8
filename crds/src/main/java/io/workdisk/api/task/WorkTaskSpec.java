package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What to do. Paths are relative to the agent's data root; the agent confines them there. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkTaskSpec(
        @Required @JsonPropertyDescription("The node whose agent runs this task.")
        String nodeName,
        @Required @JsonPropertyDescription("The step: Format (a blank disk), Materialize (a disk from a seed), Resize "
                + "(grow a disk offline), BuildSeed (a seed from a rootfs) or Delete (remove an image).")
        TaskType type,
        @Required @JsonPropertyDescription("The image to make, grow or delete, relative to the agent's data root.")
        String path,
        @JsonPropertyDescription("Format, Materialize, Resize: the size of the image, in bytes.")
        Long sizeBytes,
        @JsonPropertyDescription("Format, Materialize: reserve every block of the image instead of a sparse file.")
        Boolean preallocate,
        @JsonPropertyDescription("Materialize: the seed image, relative to the agent's data root.")
        String seedPath,
        @JsonPropertyDescription("BuildSeed: where the rootfs image comes from.")
        SeedSource source,
        @JsonPropertyDescription("BuildSeed: the directory of the rootfs to take, e.g. /root.")
        String subtree,
        @Required @JsonPropertyDescription("Who the image is for (the owner's UID); only the same requester may replace, grow or delete it.")
        String requester,
        @JsonPropertyDescription("Which try this is (1 for the first).")
        Integer attempt) {
}

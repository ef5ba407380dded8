package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The seed on one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeSeedStatus(
        String node,
        @JsonPropertyDescription("Pending, Building, Ready, Failed or Removing.")
        String phase,
        @JsonPropertyDescription("Host path of the seed image on the node.")
        String path,
        Long sizeBytes,
        Long payloadBytes,
        Integer files,
        Integer skipped,
        String message,
        @JsonPropertyDescription("Digest of the source and subtree this seed was built from.")
        String sourceDigest,
        @JsonPropertyDescription("Builds tried for this digest on this node.")
        Integer attempt) {
}

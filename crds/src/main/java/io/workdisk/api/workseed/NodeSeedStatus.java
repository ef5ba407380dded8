package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The seed on one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeSeedStatus(
        @JsonPropertyDescription("Name of the node.") String node,

        @JsonPropertyDescription(
                "Pending (the node's agent is not ready), Building, Ready, Failed (message says why) or "
                        + "Removing (the node no longer matches, or the WorkSeed is being deleted).")
        SeedPhase phase,

        @JsonPropertyDescription("Host path of the seed image on the node.")
        String path,

        @JsonPropertyDescription("Size of the seed image, in bytes.")
        Long sizeBytes,

        @JsonPropertyDescription("Bytes of file content in the seed.")
        Long payloadBytes,

        @JsonPropertyDescription("Regular files in the seed.")
        Integer files,

        @JsonPropertyDescription("Entries of the subtree left out of the seed (devices, fifos, sockets).")
        Integer skipped,

        @JsonPropertyDescription("Why the seed is not Ready on this node, or what was left out of it.")
        String message,

        @JsonPropertyDescription(
                "Digest of the source and subtree this seed was built from; a seed whose digest is not the "
                        + "spec's is rebuilt.")
        String sourceDigest,

        @JsonPropertyDescription("Builds tried for this digest on this node.")
        Integer attempt) {}

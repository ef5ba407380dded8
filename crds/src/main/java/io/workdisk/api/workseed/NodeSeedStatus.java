package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.workdisk.api.task.BuildProgress;
import io.workdisk.api.task.TaskResult;

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
        Integer attempt,

        @JsonPropertyDescription("Image sources: the digest of the image manifest the seed on this node was built "
                + "from, as its agent reported it (for an archive, the archive's own manifest).")
        String imageDigest,

        @JsonPropertyDescription("Image sources, while Building: bytes of layers fetched of the total and entries "
                + "written, as the node's agent last reported them (at most every few seconds).")
        BuildProgress progress) {

    /**
     * A node without the seed (yet): Pending, Building or Failed, with why, for the source of {@code sourceDigest}
     * and the build {@code attempt} (null before any).
     */
    public static NodeSeedStatus without(
            String node, SeedPhase phase, String message, String sourceDigest, Integer attempt) {
        return new NodeSeedStatus(
                node, phase, null, null, null, null, null, message, sourceDigest, attempt, null, null);
    }

    /**
     * A node with the seed: Ready, with what its build task reported ({@code built}), {@code message} for what
     * was left out (or null), for the source of {@code sourceDigest}, made by build {@code attempt}.
     */
    public static NodeSeedStatus ready(
            String node, TaskResult built, String message, String sourceDigest, Integer attempt) {
        return new NodeSeedStatus(
                node,
                SeedPhase.Ready,
                built.path(),
                built.sizeBytes(),
                built.payloadBytes(),
                built.files(),
                built.skipped(),
                message,
                sourceDigest,
                attempt,
                built.imageDigest(),
                null);
    }

    /** This entry as the seed is removed from its node, saying why: what it held stays until it is gone. */
    public NodeSeedStatus removing(String why) {
        return new NodeSeedStatus(
                node,
                SeedPhase.Removing,
                path,
                sizeBytes,
                payloadBytes,
                files,
                skipped,
                why,
                sourceDigest,
                attempt,
                imageDigest,
                null);
    }

    /** This entry with what the agent reported of the image: the digest built from, how far it has come. */
    public NodeSeedStatus withImage(String imageDigest, BuildProgress progress) {
        return new NodeSeedStatus(
                node,
                phase,
                path,
                sizeBytes,
                payloadBytes,
                files,
                skipped,
                message,
                sourceDigest,
                attempt,
                imageDigest,
                progress);
    }
}

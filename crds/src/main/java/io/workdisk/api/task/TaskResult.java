package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The facts of what a task made, as the agent read them back from the image. Each kind of step reports
 * its own fields: {@link #disk}, {@link #seed}, {@link #deleted}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskResult(
        @JsonPropertyDescription("Host path of the image on the node.")
        String path,

        @JsonPropertyDescription("Size of the image file, in bytes (its apparent size: a sparse file takes less room).")
        Long sizeBytes,

        @JsonPropertyDescription("Size of the ext4 filesystem on the image, in bytes.")
        Long filesystemBytes,

        @JsonPropertyDescription(
                "Room the image takes on the node's filesystem, in bytes (below sizeBytes while sparse).")
        Long allocatedBytes,

        @JsonPropertyDescription("The ext4 filesystem UUID of the image.")
        String filesystemUUID,

        @JsonPropertyDescription("BuildSeed: bytes of file content taken from the rootfs subtree.")
        Long payloadBytes,

        @JsonPropertyDescription("BuildSeed: regular files taken from the rootfs subtree.")
        Integer files,

        @JsonPropertyDescription("BuildSeed: entries of the subtree left out (devices, fifos, sockets).")
        Integer skipped,

        @JsonPropertyDescription(
                "Format, Materialize: the image was already there from an earlier run of this task and "
                        + "was reported, not made again. Delete: there was an image to remove.")
        Boolean existed,

        @JsonPropertyDescription("ResolveImage: the digest the reference names. BuildSeed from an image: the digest "
                + "of the image manifest the seed was built from.")
        String imageDigest) {

    /** Format, Materialize, Resize: the disk image; {@code existed}: it was there from an earlier run. */
    public static TaskResult disk(
            String path,
            long sizeBytes,
            long filesystemBytes,
            long allocatedBytes,
            String filesystemUUID,
            boolean existed) {
        return new TaskResult(
                path, sizeBytes, filesystemBytes, allocatedBytes, filesystemUUID, null, null, null, existed, null);
    }

    /**
     * BuildSeed: the seed image, whose file is exactly its filesystem. {@code existed} is true, as agents
     * have always reported it for seeds; its documented meaning covers the other steps only.
     */
    public static TaskResult seed(
            String path, long sizeBytes, String filesystemUUID, long payloadBytes, int files, int skipped) {
        return new TaskResult(
                path, sizeBytes, sizeBytes, null, filesystemUUID, payloadBytes, files, skipped, true, null);
    }

    /** BuildSeed from an image: this seed result with the digest of the image manifest it was built from. */
    public TaskResult withImageDigest(String digest) {
        return new TaskResult(
                path,
                sizeBytes,
                filesystemBytes,
                allocatedBytes,
                filesystemUUID,
                payloadBytes,
                files,
                skipped,
                existed,
                digest);
    }

    /** ResolveImage: the digest the reference names. */
    public static TaskResult resolved(String digest) {
        return new TaskResult(null, null, null, null, null, null, null, null, null, digest);
    }

    /** Delete: {@code existed}, there was an image to remove. */
    public static TaskResult deleted(String path, boolean existed) {
        return new TaskResult(path, null, null, null, null, null, null, null, existed, null);
    }
}

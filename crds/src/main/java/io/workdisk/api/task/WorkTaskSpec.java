package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * What to do. Paths are relative to the agent's data root; the agent confines them there.
 *
 * <p>One flat record serves every step, so which fields a step needs is said by the factories below, one
 * per step: make a spec with them, not with the canonical constructor (left public for Jackson). The
 * stored shape stays flat because it is the schema of a served CRD: nesting the fields per step would
 * make every task already stored unreadable to an agent of the new shape and need a new API version
 * with conversion, for an internal object the operator alone writes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkTaskSpec(
        @Required @JsonPropertyDescription("The node whose agent runs this task.")
        String nodeName,

        @Required
        @JsonPropertyDescription("The step: Format (a blank disk), Materialize (a disk from a seed), Resize "
                + "(grow a disk offline), BuildSeed (a seed from a rootfs or container image), ResolveImage (the "
                + "digest an image tag names now) or Delete (remove an image).")
        TaskType type,

        @Required
        @JsonPropertyDescription("The image to make, grow or delete, relative to the agent's data root "
                + "(ResolveImage: the seed the resolution is for).")
        String path,

        @JsonPropertyDescription("Format, Materialize, Resize: the size of the image, in bytes.")
        Long sizeBytes,

        @JsonPropertyDescription("Format, Materialize: reserve every block of the image instead of a sparse file.")
        Boolean preallocate,

        @JsonPropertyDescription("Materialize: the seed image, relative to the agent's data root.")
        String seedPath,

        @JsonPropertyDescription("BuildSeed: where the filesystem comes from; an image is always named by its digest. "
                + "ResolveImage: the image whose reference to resolve.")
        SeedSource source,

        @JsonPropertyDescription("BuildSeed: the directory of the filesystem to take, e.g. /root, or / for all of it.")
        String subtree,

        @JsonPropertyDescription("BuildSeed: Root (every entry 0:0) or Preserve (owners and extended attributes "
                + "kept); absent means Root.")
        SeedOwnership ownership,

        @Required
        @JsonPropertyDescription(
                "Who the image is for (the owner's UID); only the same requester may replace, grow or delete it.")
        String requester,

        @JsonPropertyDescription("Which try this is (1 for the first).")
        Integer attempt) {

    /** A blank formatted disk of {@code sizeBytes} at {@code path}. */
    public static WorkTaskSpec format(
            String nodeName, String path, long sizeBytes, boolean preallocate, String requester, int attempt) {
        return new WorkTaskSpec(
                nodeName, TaskType.Format, path, sizeBytes, preallocate, null, null, null, null, requester, attempt);
    }

    /** A disk of {@code sizeBytes} at {@code path} holding the tree of the seed image at {@code seedPath}. */
    public static WorkTaskSpec materialize(
            String nodeName,
            String path,
            long sizeBytes,
            boolean preallocate,
            String seedPath,
            String requester,
            int attempt) {
        return new WorkTaskSpec(
                nodeName,
                TaskType.Materialize,
                path,
                sizeBytes,
                preallocate,
                seedPath,
                null,
                null,
                null,
                requester,
                attempt);
    }

    /** The disk at {@code path} grown offline to {@code sizeBytes}. */
    public static WorkTaskSpec resize(String nodeName, String path, long sizeBytes, String requester, int attempt) {
        return new WorkTaskSpec(
                nodeName, TaskType.Resize, path, sizeBytes, null, null, null, null, null, requester, attempt);
    }

    /** A seed image at {@code path} built from the {@code subtree} of the rootfs {@code source}, owned by root. */
    public static WorkTaskSpec buildSeed(
            String nodeName, String path, SeedSource source, String subtree, String requester, int attempt) {
        return buildSeed(nodeName, path, source, subtree, SeedOwnership.Root, requester, attempt);
    }

    /**
     * A seed image at {@code path} built from the {@code subtree} of {@code source}, its entries owned as
     * {@code ownership} says (Root is written as absent, as tasks were written before there was a choice).
     */
    public static WorkTaskSpec buildSeed(
            String nodeName,
            String path,
            SeedSource source,
            String subtree,
            SeedOwnership ownership,
            String requester,
            int attempt) {
        return new WorkTaskSpec(
                nodeName,
                TaskType.BuildSeed,
                path,
                null,
                null,
                null,
                source,
                subtree,
                ownership == SeedOwnership.Root ? null : ownership,
                requester,
                attempt);
    }

    /** The digest {@code image}'s reference names now, asked of {@code nodeName}'s agent for the seed at {@code path}. */
    public static WorkTaskSpec resolveImage(
            String nodeName, String path, ImageSource image, String requester, int attempt) {
        return new WorkTaskSpec(
                nodeName,
                TaskType.ResolveImage,
                path,
                null,
                null,
                null,
                SeedSource.image(image),
                null,
                null,
                requester,
                attempt);
    }

    /** The image at {@code path} removed, disk or seed alike: the agent runs the same step for both. */
    public static WorkTaskSpec delete(String nodeName, String path, String requester, int attempt) {
        return new WorkTaskSpec(
                nodeName, TaskType.Delete, path, null, null, null, null, null, null, requester, attempt);
    }
}

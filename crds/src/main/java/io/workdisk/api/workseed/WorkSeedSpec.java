package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.workdisk.api.task.SeedOwnership;
import io.workdisk.api.task.SeedSource;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkSeedSpec(
        @Required
        @JsonPropertyDescription(
                "Where the filesystem comes from: exactly one of hostPath or http (an ext4 rootfs image), image (a "
                        + "container image in a registry) or ociArchive (a container image archive on the nodes). "
                        + "Changing it rebuilds the seed.")
        SeedSource source,

        @Size(max = 4096)
        @Pattern("^/")
        @JsonPropertyDescription(
                "Directory of the filesystem to take, absolute (default /root); / takes the whole filesystem, "
                        + "for a VM root disk. Changing it rebuilds the seed.")
        String subtree,

        @JsonPropertyDescription("Root (default): every entry is owned by 0:0; Preserve: each entry keeps its "
                + "uid, gid and extended attributes (e.g. security.capability), as a root filesystem needs. "
                + "Changing it rebuilds the seed.")
        SeedOwnership ownership,

        @JsonPropertyDescription(
                "Labels the node's Kubernetes Node object must have to get the seed (default: every node "
                        + "with a workdisk agent). Nodes that stop matching drop the seed.")
        Map<String, String> nodeSelector) {

    /** A seed of {@code subtree} of {@code source} on the nodes matching {@code nodeSelector}, owned by root. */
    public static WorkSeedSpec of(SeedSource source, String subtree, Map<String, String> nodeSelector) {
        return new WorkSeedSpec(source, subtree, null, nodeSelector);
    }

    public WorkSeedSpec withOwnership(SeedOwnership ownership) {
        return new WorkSeedSpec(source, subtree, ownership, nodeSelector);
    }

    public SeedOwnership effectiveOwnership() {
        return SeedOwnership.orDefault(ownership);
    }

    public String effectiveSubtree() {
        return subtree == null || subtree.isBlank() ? "/root" : subtree;
    }
}

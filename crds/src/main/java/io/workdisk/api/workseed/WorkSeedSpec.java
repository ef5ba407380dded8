package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.workdisk.api.task.SeedSource;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkSeedSpec(
        @Required
        @JsonPropertyDescription(
                "Where the rootfs image comes from: exactly one of hostPath or http. Changing it rebuilds the seed.")
        SeedSource source,

        @Size(max = 4096)
        @Pattern("^/")
        @JsonPropertyDescription(
                "Directory of the rootfs to take, absolute (default /root). Changing it rebuilds the seed.")
        String subtree,

        @JsonPropertyDescription(
                "Labels the node's Kubernetes Node object must have to get the seed (default: every node "
                        + "with a workdisk agent). Nodes that stop matching drop the seed.")
        Map<String, String> nodeSelector) {

    public String effectiveSubtree() {
        return subtree == null || subtree.isBlank() ? "/root" : subtree;
    }
}

package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where a seed's rootfs comes from: exactly one of the two. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.hostPath) != has(self.http)", message = "exactly one of hostPath or http must be set")
public record SeedSource(
        @JsonPropertyDescription("A rootfs image already present on the nodes.")
        HostPathSource hostPath,

        @JsonPropertyDescription("A rootfs image downloaded by each node and verified by SHA-256.")
        HttpSource http) {

    /** One line for columns and messages. */
    public String describe() {
        if (hostPath != null) {
            return "hostPath:" + hostPath.path();
        }
        return http != null ? "http:" + http.url() : "none";
    }
}

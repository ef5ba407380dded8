package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The facts of what a task made, as the agent read them back from the image. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskResult(
        String path,
        Long sizeBytes,
        Long filesystemBytes,
        Long allocatedBytes,
        String filesystemUUID,
        Long payloadBytes,
        Integer files,
        Integer skipped,
        Boolean existed) {
}

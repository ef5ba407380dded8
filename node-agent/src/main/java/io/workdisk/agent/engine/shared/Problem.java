package io.workdisk.agent.engine.shared;

/**
 * Why an engine step failed, as a stable machine-readable reason. The operator turns these into
 * condition reasons; the CLI prints them with the message.
 */
public enum Problem {
    INVALID_SIZE(false),
    INVALID_PATH(false),
    /** The task itself is malformed (e.g. it names no step): no path or size is at fault. */
    INVALID_TASK(false),
    OUTSIDE_DATA_ROOT(false),
    TARGET_DIRECTORY_MISSING(true),
    TARGET_EXISTS(true),
    NOT_OWNED(false),
    NOT_FOUND(false),
    INSUFFICIENT_SPACE(true),
    SOURCE_UNREADABLE(true),
    /** A download failed or did not match its checksum. */
    SOURCE_UNAVAILABLE(true),
    /**
     * A registry refused access: no credentials, or not these. Retryable: the credentials come from a
     * mounted Secret that may be fixed without changing the request.
     */
    SOURCE_DENIED(true),
    /**
     * The source is not something the agent will build from: an unknown media type, no image for the
     * platform, a manifest too large or nested too deep. The same request fails the same way.
     */
    SOURCE_INVALID(false),
    NOT_EXT4(false),
    CORRUPT_IMAGE(false),
    /**
     * A container image or layer that is malformed, unsupported or hostile (a name leaving the tree, a
     * write through a symlink, a decompression bomb, an unknown media type): the image must change.
     */
    INVALID_IMAGE(false),
    SIZE_BELOW_SEED(false),
    SHRINK_REFUSED(false),
    FILESYSTEM_NOT_CLEAN(false),
    TOOL_MISSING(true),
    TOOL_FAILED(true),
    TOOL_TIMEOUT(true),
    UNSUPPORTED_FILESYSTEM(false),
    IO_ERROR(true),
    /**
     * The disk is published to a pod by this node's CSI service: it is neither resized nor removed under it.
     * Retryable: the pod stopping is all it takes (the operator waits for that, and asks again).
     */
    IN_USE(true);

    private final boolean retryable;

    Problem(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether the same step may succeed later without anyone changing the request. */
    public boolean retryable() {
        return retryable;
    }
}

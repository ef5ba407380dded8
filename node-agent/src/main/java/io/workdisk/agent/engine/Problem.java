package io.workdisk.agent.engine;

/**
 * Why an engine step failed, as a stable machine-readable reason. The operator turns these into
 * condition reasons; the CLI prints them with the message.
 */
public enum Problem {
    INVALID_SIZE,
    INVALID_PATH,
    OUTSIDE_DATA_ROOT,
    TARGET_DIRECTORY_MISSING,
    TARGET_EXISTS,
    NOT_OWNED,
    NOT_FOUND,
    INSUFFICIENT_SPACE,
    SOURCE_UNREADABLE,
    NOT_EXT4,
    CORRUPT_IMAGE,
    SIZE_BELOW_SEED,
    SHRINK_REFUSED,
    FILESYSTEM_NOT_CLEAN,
    TOOL_MISSING,
    TOOL_FAILED,
    TOOL_TIMEOUT,
    UNSUPPORTED_FILESYSTEM,
    IO_ERROR
}

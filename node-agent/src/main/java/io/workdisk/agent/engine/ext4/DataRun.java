package io.workdisk.agent.engine.ext4;

/**
 * A contiguous stretch of a file: {@code blocks} logical blocks from {@code logicalBlock} stored at
 * {@code physicalBlock}. An uninitialized run reads as zeros, like a hole.
 */
public record DataRun(long logicalBlock, long physicalBlock, long blocks, boolean initialized) {}

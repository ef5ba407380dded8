package io.workdisk.agent.engine.inspect;

import java.util.List;

/** What a disk image is, read from its file and its superblock. */
public record DiskFacts(
        String path,
        long sizeBytes,
        long allocatedBytes,
        long filesystemBytes,
        String filesystemUUID,
        String label,
        int blockSize,
        long usedBytes,
        long inodeCount,
        long freeInodes,
        boolean clean,
        List<String> features,
        String owner) {}

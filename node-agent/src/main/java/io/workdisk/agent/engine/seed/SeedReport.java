package io.workdisk.agent.engine.seed;

import java.util.List;
import java.util.Map;

/**
 * What build-seed made: where, how big, what went in and what was left out, and how the tree reached mkfs
 * ({@link SeedMethod#label}).
 */
public record SeedReport(
        String path,
        String rootfs,
        String subtree,
        long sizeBytes,
        long payloadBytes,
        int files,
        int directories,
        int symlinks,
        int hardLinks,
        int skipped,
        Map<String, Integer> skippedByKind,
        int fixups,
        String filesystemUUID,
        List<String> warnings,
        Map<String, Double> phaseSeconds,
        String method) {}

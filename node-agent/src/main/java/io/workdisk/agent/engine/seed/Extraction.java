package io.workdisk.agent.engine.seed;

import java.util.List;
import java.util.Map;

/** What came out of a rootfs subtree: the entries to verify, counts, bytes, and what had to be left out. */
public record Extraction(
        List<ExpectedEntry> entries,
        long payloadBytes,
        long metadataBytes,
        int files,
        int directories,
        int symlinks,
        int hardLinks,
        Map<String, Integer> skipped,
        List<String> warnings) {

    public int skippedTotal() {
        return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }
}

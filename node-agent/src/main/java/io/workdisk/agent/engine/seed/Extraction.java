package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Inode;
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

    /**
     * An empty seed: its root directory alone (0700, root's, dated {@code at}), for a source that lacks the
     * subtree; {@code skipped} and {@code warnings} say what was left out and why.
     */
    public static Extraction emptySeed(Inode.Timestamp at, Map<String, Integer> skipped, List<String> warnings) {
        return new Extraction(
                List.of(ExpectedEntry.rootOwned("", Inode.S_IFDIR | 0700, at, at, null)),
                0,
                0,
                0,
                0,
                0,
                0,
                Map.copyOf(skipped),
                List.copyOf(warnings));
    }

    public int skippedTotal() {
        return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }
}

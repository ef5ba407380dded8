package io.workdisk.operator.workseed;

import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.operator.task.Tasks;

/** Names what a seed is built from, so a changed source or subtree is seen as a different seed. */
public final class SeedDigest {
    private SeedDigest() {}

    public static String of(WorkSeedSpec spec) {
        String source = spec.source() == null
                ? "none"
                : spec.source().describe()
                        + (spec.source().http() != null
                                ? "@" + spec.source().http().sha256()
                                : "");
        return Tasks.digest(source + "\n" + spec.effectiveSubtree(), 12);
    }
}

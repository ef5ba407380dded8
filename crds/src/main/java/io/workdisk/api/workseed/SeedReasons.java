package io.workdisk.api.workseed;

import java.util.Set;

/**
 * Reasons of a WorkSeed's Ready condition that say a build or the image's resolution failed. GitOps health
 * checks report them as failures (Argo CD's {@code Degraded}), also while a retry is due: the message says
 * when ("retrying in 40s"), and the seed is Healthy again once the retry succeeds. Every other reason
 * (Building, Resolving, NoNodes, Deleting) is on the way.
 */
public final class SeedReasons {
    private SeedReasons() {}

    /** Ready=True: every node that should have the seed has it, built from the current spec. */
    public static final String READY = "Ready";
    /** The build failed on at least one node; the message says where, why, and whether it is tried again. */
    public static final String BUILD_FAILED = "BuildFailed";
    /** The image's tag could not be resolved to a digest; the message says why and whether it is tried again. */
    public static final String RESOLVE_FAILED = "ResolveFailed";

    /** The reasons above that report a failure. */
    public static final Set<String> FAILED = Set.of(BUILD_FAILED, RESOLVE_FAILED);
}

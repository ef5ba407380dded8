package io.workdisk.agent.source;

import io.workdisk.agent.engine.seed.SeedOwnership;

/**
 * The API's ownership rule ({@code spec.ownership}: Root, Preserve, or none for Root) as the disk engine,
 * which knows nothing of the API, names it: the one mapping between the two enums.
 */
public final class SeedOwnerships {
    private SeedOwnerships() {}

    public static SeedOwnership forEngine(io.workdisk.api.task.SeedOwnership requested) {
        return switch (io.workdisk.api.task.SeedOwnership.orDefault(requested)) {
            case Root -> SeedOwnership.ROOT;
            case Preserve -> SeedOwnership.PRESERVE;
        };
    }
}

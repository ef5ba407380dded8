package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.util.Locale;

/**
 * Whose files a seed holds. ROOT (the default, a home directory's rule): every entry 0:0 and no extended
 * attributes. PRESERVE (a root filesystem's rule): each entry keeps its uid, gid and extended attributes.
 */
public enum SeedOwnership {
    ROOT,
    PRESERVE;

    public static SeedOwnership parse(String value) throws EngineException {
        if (value == null || value.isBlank()) {
            return ROOT;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new EngineException(Problem.INVALID_TASK, "ownership '" + value + "' is neither Root nor Preserve");
        }
    }
}

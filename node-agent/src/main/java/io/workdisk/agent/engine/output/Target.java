package io.workdisk.agent.engine.output;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.Ownership;
import io.workdisk.agent.engine.files.StagedOutput;
import io.workdisk.agent.engine.resize.ResizeRecovery;
import io.workdisk.agent.engine.shared.EngineException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A checked output path: inside the data root, with crashed runs' leftovers cleared from its directory,
 * and free of any file workdisk may not replace.
 */
public record Target(Path path, boolean replacesExisting) {

    public static Target prepare(
            ConfinedRoot root, Path requested, String requester, boolean force, ResizeRecovery recovery)
            throws EngineException {
        Path path = root.confine(requested);
        StagedOutput.cleanLeftovers(path.getParent());
        recovery.recover(path.getParent());
        Ownership.checkMayReplace(path, requester, force);
        return new Target(path, Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    }

    public Path directory() {
        return path.getParent();
    }
}

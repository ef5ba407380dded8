package io.workdisk.agent.task;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.api.DataRootLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An agent's data root as made on disk: the directories {@link DataRootLayout} names (the contract with
 * the operator, which names the paths in tasks) created, and task paths resolved under it. Every write
 * still goes through the {@link ConfinedRoot} it carries; this record only lays out and resolves.
 */
public record DataDirectories(ConfinedRoot root) {
    public static DataDirectories create(Path dir) throws EngineException {
        try {
            Files.createDirectories(dir);
            for (String sub : new String[] {DataRootLayout.DISKS, DataRootLayout.SEEDS, DataRootLayout.DOWNLOADS}) {
                Files.createDirectories(dir.resolve(sub));
            }
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR,
                    "cannot create the data root " + ConfinedRoot.quoted(dir) + ": " + ErrorText.of(e),
                    e);
        }
        return new DataDirectories(ConfinedRoot.of(dir));
    }

    /** A task's path, resolved under the root; the engine confines it again before writing. */
    public Path resolve(String relative) throws EngineException {
        if (relative == null || relative.isBlank() || relative.startsWith("/")) {
            throw new EngineException(
                    Problem.INVALID_PATH, "task path '" + relative + "' must be relative to the data root");
        }
        return root.path().resolve(relative);
    }

    public Path disks() {
        return root.path().resolve(DataRootLayout.DISKS);
    }

    public Path seeds() {
        return root.path().resolve(DataRootLayout.SEEDS);
    }

    public Path downloads() {
        return root.path().resolve(DataRootLayout.DOWNLOADS);
    }

    /**
     * The layer cache of container image blobs, shared by every image seed on this node; made by the
     * cache on first use, so a node that never pulls an image has none.
     */
    public Path layers() {
        return root.path().resolve(DataRootLayout.LAYERS);
    }
}

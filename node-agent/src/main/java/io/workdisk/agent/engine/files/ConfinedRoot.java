package io.workdisk.agent.engine.files;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data root as the confinement every write passes: a path is accepted only when it names no "..",
 * its parent directory exists and resolves (through any symlinks) inside the root, and the final name
 * is not itself a symlink, so writes can never be steered outside the root.
 *
 * <p>Named for that job, apart from the two other views of the same directory: {@code DataRootLayout}
 * (API module) is the path contract the operator and agent share, {@code DataDirectories} (task package)
 * is the agent's root as made on disk with task paths resolved under it. This class knows no layout; it
 * only guards.
 */
public final class ConfinedRoot {
    /** Names the engine reserves for its own in-flight files; a user output may not take them. */
    public static final String RESERVED_PREFIX = ".workdisk-";

    private final Path root;

    private ConfinedRoot(Path root) {
        this.root = root;
    }

    public static ConfinedRoot of(Path dir) throws EngineException {
        if (!Files.isDirectory(dir)) {
            throw new EngineException(Problem.TARGET_DIRECTORY_MISSING, "data root " + dir + " is not a directory");
        }
        try {
            return new ConfinedRoot(dir.toRealPath());
        } catch (IOException e) {
            throw new EngineException(
                    Problem.INVALID_PATH, "data root " + dir + " cannot be resolved: " + ErrorText.of(e));
        }
    }

    public Path path() {
        return root;
    }

    /** Resolves a path the engine is about to create, replace or delete. */
    public Path confine(Path requested) throws EngineException {
        for (Path part : requested) {
            if (part.toString().equals("..")) {
                throw new EngineException(Problem.INVALID_PATH, "path " + quoted(requested) + " contains '..'");
            }
        }
        Path absolute = requested.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        Path name = absolute.getFileName();
        if (parent == null || name == null) {
            throw new EngineException(Problem.INVALID_PATH, "path " + quoted(requested) + " names no file");
        }
        if (name.toString().startsWith(RESERVED_PREFIX)) {
            throw new EngineException(
                    Problem.INVALID_PATH,
                    "file names starting with " + RESERVED_PREFIX + " are reserved for workdisk's temporary files");
        }
        if (!Files.isDirectory(parent)) {
            throw new EngineException(
                    Problem.TARGET_DIRECTORY_MISSING, "target directory " + quoted(parent) + " does not exist");
        }
        Path realParent;
        try {
            realParent = parent.toRealPath();
        } catch (IOException e) {
            throw new EngineException(
                    Problem.INVALID_PATH, "cannot resolve " + quoted(parent) + ": " + ErrorText.of(e));
        }
        if (!realParent.startsWith(root)) {
            throw new EngineException(
                    Problem.OUTSIDE_DATA_ROOT,
                    "path " + quoted(requested) + " resolves to " + quoted(realParent.resolve(name))
                            + ", outside the data root " + quoted(root));
        }
        Path target = realParent.resolve(name);
        if (Files.isSymbolicLink(target)) {
            throw new EngineException(
                    Problem.INVALID_PATH, "path " + quoted(target) + " is a symlink; refusing to write through it");
        }
        return target;
    }

    /** A path for messages: quoted, with control characters escaped so an error stays one line. */
    public static String quoted(Path path) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : path.toString().toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}

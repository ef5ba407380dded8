package io.workdisk.agent.source;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.api.task.SeedSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a seed source into a rootfs image file on this node: a host path, only inside the directories
 * the agent was told images may be read from, or a verified download.
 */
public final class RootfsSources {
    private final List<Path> imageDirs;
    private final Downloader downloader;

    public RootfsSources(List<Path> imageDirs, Downloader downloader) {
        this.imageDirs = imageDirs.stream().map(RootfsSources::real).toList();
        this.downloader = downloader;
    }

    /** A rootfs to read; {@link Fetched#close()} removes it if it was downloaded. */
    public Fetched fetch(SeedSource source, Path downloadDir) throws EngineException {
        if (source == null || (source.hostPath() == null) == (source.http() == null)) {
            throw new EngineException(
                    Problem.INVALID_PATH, "an ext4 rootfs source must set exactly one of hostPath or http");
        }
        if (source.hostPath() != null) {
            return new Fetched(allowedHostPath(source.hostPath().path()), false);
        }
        return new Fetched(
                downloader.download(source.http().url(), source.http().sha256(), downloadDir), true);
    }

    /**
     * {@code requested}, a file on this node, resolved and allowed only inside the agent's image
     * directories: the rule for hostPath rootfs images and image archives alike.
     */
    public Path allowedHostPath(String requested) throws EngineException {
        return allowedOnNode("hostPath", requested);
    }

    /** As {@link #allowedHostPath}, for the source field {@code field} (hostPath, ociArchive) named in errors. */
    public Path allowedOnNode(String field, String requested) throws EngineException {
        if (requested == null || !requested.startsWith("/")) {
            throw new EngineException(Problem.INVALID_PATH, field + " '" + requested + "' must be absolute");
        }
        Path path = Path.of(requested);
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw new EngineException(
                        Problem.INVALID_PATH, field + " " + ConfinedRoot.quoted(path) + " contains '..'");
            }
        }
        if (imageDirs.isEmpty()) {
            throw new EngineException(
                    Problem.OUTSIDE_DATA_ROOT,
                    "this agent reads no host images: start it with --image-dir to allow a directory");
        }
        if (!Files.exists(path)) {
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE, "rootfs " + ConfinedRoot.quoted(path) + " does not exist on this node");
        }
        Path resolved;
        try {
            resolved = path.toRealPath();
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE, "cannot resolve " + ConfinedRoot.quoted(path) + ": " + ErrorText.of(e));
        }
        for (Path dir : imageDirs) {
            if (resolved.startsWith(dir)) {
                return resolved;
            }
        }
        throw new EngineException(
                Problem.OUTSIDE_DATA_ROOT,
                field + " " + ConfinedRoot.quoted(path) + " resolves to " + ConfinedRoot.quoted(resolved)
                        + ", outside the agent's image directories " + imageDirs);
    }

    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    /** A rootfs on disk for the length of one build. */
    public record Fetched(Path path, boolean temporary) implements AutoCloseable {
        @Override
        public void close() {
            if (temporary) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // a leftover download is removed with the next one's directory sweep
                }
            }
        }
    }
}

package io.workdisk.agent.csi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where the node service may publish: only inside the kubelet directory, and never through a symlink. A
 * privileged service that mounts wherever a caller says is a root shell for anyone who can reach its
 * socket; this is the check that stands between the two.
 */
final class TargetPaths {
    private final Path kubeletDir;

    private TargetPaths(Path kubeletDir) {
        this.kubeletDir = kubeletDir;
    }

    /** The kubelet directory as the kernel sees it (a symlinked /var/lib/kubelet is followed once, here). */
    static TargetPaths under(Path kubeletDir) throws IOException {
        return new TargetPaths(kubeletDir.toRealPath());
    }

    Path kubeletDir() {
        return kubeletDir;
    }

    /**
     * The target as a path the service may make and mount at: absolute, with no {@code .} or {@code ..}, strictly
     * inside the kubelet directory, its parent an existing directory, and no part of it below the kubelet
     * directory a symlink (the target itself included, when it exists).
     */
    Path confine(String target, String field) throws Refused {
        if (target == null || target.isEmpty()) {
            throw Refused.invalid(field + " is required");
        }
        if (target.indexOf('\0') >= 0) {
            throw Refused.invalid(field + " holds a NUL character");
        }
        Path path = Path.of(target);
        if (!path.isAbsolute() || !path.normalize().toString().equals(target)) {
            throw Refused.invalid(field + " " + target + " is not an absolute, normalized path");
        }
        if (!path.startsWith(kubeletDir) || path.equals(kubeletDir)) {
            throw Refused.invalid(field + " " + target + " is outside the kubelet directory " + kubeletDir);
        }
        Path step = kubeletDir;
        for (Path part : kubeletDir.relativize(path)) {
            step = step.resolve(part);
            if (Files.isSymbolicLink(step)) {
                throw Refused.invalid(field + " " + target + " goes through the symlink " + step);
            }
        }
        Path parent = path.getParent();
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            throw Refused.notFound(field + " " + target + ": its parent directory does not exist");
        }
        return path;
    }
}

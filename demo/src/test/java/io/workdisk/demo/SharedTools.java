package io.workdisk.demo;

import io.workdisk.agent.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Kubernetes and kubernetes-csi binaries kept beside the repository ({@code ../shared/kube},
 * {@code ../shared/csi}, {@code ../shared/kubelet}): found from the working directory up, as CI's fresh clone
 * sits next to them. A test that needs one and finds none skips (or fails under CI) naming it.
 */
final class SharedTools {
    private SharedTools() {}

    /** {@code shared/<dir>/<name>} beside the repository, if it is there and executable. */
    static Optional<Path> locate(String dir, String name) {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolveSibling("shared").resolve(dir).resolve(name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The tool, or the test stops here saying which one it needed. */
    static Path require(String dir, String name) {
        Optional<Path> tool = locate(dir, name);
        Requirements.need(tool.isPresent(), name + " beside the repository (../shared/" + dir + "/" + name + ")");
        return tool.get();
    }
}

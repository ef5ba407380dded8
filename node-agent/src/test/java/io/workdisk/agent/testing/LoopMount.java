package io.workdisk.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An image mounted by the kernel on a loop device, for tests that need the kernel's own reading or writing
 * of a filesystem. Needs root and loop devices; where the machine refuses them, {@link #mount} says why
 * instead of mounting, and the caller skips with that reason.
 */
public final class LoopMount implements AutoCloseable {
    private final Path at;

    private LoopMount(Path at) {
        this.at = at;
    }

    /** The mount of {@code image} at {@code at} (created), or empty with the refusal in {@code why}. */
    public static Optional<LoopMount> mount(Path image, Path at, boolean readOnly, List<String> why)
            throws IOException {
        Files.createDirectories(at);
        List<String> cmd = new ArrayList<>(List.of("mount", "-t", "ext4", "-o", readOnly ? "loop,ro" : "loop"));
        cmd.addAll(List.of(image.toString(), at.toString()));
        Shell.Result r = Shell.run(cmd);
        if (r.exitCode() != 0) {
            why.add("the kernel cannot mount an image here (mount -o loop: "
                    + r.stderr().strip() + ")");
            return Optional.empty();
        }
        return Optional.of(new LoopMount(at));
    }

    public Path path() {
        return at;
    }

    @Override
    public void close() {
        Shell.ok("umount", at.toString());
    }
}

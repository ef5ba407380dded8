package io.workdisk.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * What a test left on the machine under its directory (mounts, loop devices backed by its files), found from
 * the kernel's own tables and taken down, so a failed test does not leave the next run a machine with stray
 * mounts and attached images. The one place the suite does this; tests and harnesses call it when they close.
 *
 * <p>"Under" means at or below {@code dir}, path component by component: {@code /tmp/a} does not cover
 * {@code /tmp/ab}. A failure to take something down is thrown (as an AssertionError, so the test fails) only
 * after everything else was tried, naming what stayed.
 */
public final class HostLeftovers {
    /** The mount table as this process sees it; mount points in it are octal-escaped (a space is \040). */
    private static final Path MOUNT_TABLE = Path.of("/proc/self/mountinfo");

    private static final ObjectMapper JSON = new ObjectMapper();

    private HostLeftovers() {}

    /** A loop device and the file it is backed by (the kernel appends " (deleted)" if that file is gone). */
    public record LoopDevice(String device, Path backingFile) {
        public static LoopDevice of(String device, String backingFile) {
            return new LoopDevice(device, Path.of(backingFile));
        }
    }

    /** Unmounts (lazily) everything mounted at or below {@code dir}, deepest first; loop devices are left. */
    public static void unmountUnder(Path dir) {
        List<String> failures = new ArrayList<>();
        unmount(dir, failures);
        throwIfLeft(dir, failures);
    }

    /**
     * Unmounts (lazily) everything mounted at or below {@code dir}, deepest first, then detaches every loop
     * device backed by a file there. A device still in use is only marked to detach when its last user lets go
     * (losetup's autoclear), which is not a failure.
     */
    public static void takeDownUnder(Path dir) {
        List<String> failures = new ArrayList<>();
        unmount(dir, failures);
        for (LoopDevice loop : loopDevicesUnder(dir)) {
            Shell.Result r = Shell.run(List.of("losetup", "--detach", loop.device()));
            if (r.exitCode() != 0 && loopDevicesUnder(dir).contains(loop)) {
                failures.add("loop device " + loop.device() + " (" + loop.backingFile() + "): "
                        + r.stderr().strip());
            }
        }
        throwIfLeft(dir, failures);
    }

    /** Mount points at or below {@code dir}, deepest first (and of one point, the mount on top first). */
    public static List<Path> mountsUnder(Path dir) {
        Path under = canonical(dir);
        List<Path> points = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNT_TABLE, StandardCharsets.UTF_8)) {
                Path point = Path.of(unescape(line.split(" ")[4]));
                if (point.startsWith(under)) {
                    points.add(point);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNT_TABLE, e);
        }
        // later lines are mounted later, so over earlier ones at the same point; the sort below is stable
        Collections.reverse(points);
        points.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return points;
    }

    /** Loop devices backed by a file at or below {@code dir}, as {@code losetup --json} lists them. */
    public static List<LoopDevice> loopDevicesUnder(Path dir) {
        Path under = canonical(dir);
        String listed = Shell.ok("losetup", "--json", "--list", "--output", "NAME,BACK-FILE");
        List<LoopDevice> found = new ArrayList<>();
        if (listed.isBlank()) {
            return found; // no loop device at all: losetup prints nothing
        }
        try {
            for (JsonNode device : JSON.readTree(listed).path("loopdevices")) {
                LoopDevice loop = LoopDevice.of(
                        device.path("name").asText(), device.path("back-file").asText());
                if (loop.backingFile().startsWith(under)) {
                    found.add(loop);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read losetup's listing: " + listed, e);
        }
        return found;
    }

    /**
     * A mount point as the kernel writes it in the mount table: space, tab, newline and backslash as three octal
     * digits after a backslash ({@code \040}, {@code \011}, {@code \012}, {@code \134}). Decoded as bytes, since
     * a UTF-8 name passes through unescaped.
     */
    static String unescape(String field) {
        byte[] raw = field.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\\'
                    && i + 3 < raw.length
                    && isOctal(raw[i + 1])
                    && isOctal(raw[i + 2])
                    && isOctal(raw[i + 3])) {
                out.write((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 + (raw[i + 3] - '0'));
                i += 3;
            } else {
                out.write(raw[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }

    /** An unmount that failed because the mount went away meanwhile is no failure. */
    private static void unmount(Path dir, List<String> failures) {
        for (Path point : mountsUnder(dir)) {
            Shell.Result r = Shell.run(List.of("umount", "--lazy", point.toString()));
            if (r.exitCode() != 0 && mountsUnder(dir).contains(point)) {
                failures.add("mount " + point + ": " + r.stderr().strip());
            }
        }
    }

    private static void throwIfLeft(Path dir, List<String> failures) {
        if (!failures.isEmpty()) {
            throw new AssertionError("left on the machine under " + dir + ": " + String.join("; ", failures));
        }
    }

    /** {@code dir} as the kernel names it (symlinks resolved), or as given when it is gone. */
    private static Path canonical(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}

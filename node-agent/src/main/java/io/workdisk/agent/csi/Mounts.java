package io.workdisk.agent.csi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Mounts at publish targets, through mount and umount; what is mounted where, from the kernel's mountinfo. */
final class Mounts {
    private final HostCommands commands;
    private final Path mountInfo;

    Mounts(HostCommands commands, Path mountInfo) {
        this.commands = commands;
        this.mountInfo = mountInfo;
    }

    static Mounts of(HostCommands commands) {
        return new Mounts(commands, Path.of("/proc/self/mountinfo"));
    }

    /** Whether something is mounted at exactly this path. */
    boolean isMountPoint(Path path) throws IOException {
        String wanted = path.toString();
        for (String line : Files.readAllLines(mountInfo)) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** Binds a file or device node onto the target file, read-only if asked. */
    void bind(Path source, Path target, boolean readOnly) throws IOException {
        commands.run("mount", "--bind", source.toString(), target.toString());
        if (readOnly) {
            commands.run("mount", "-o", "remount,bind,ro", target.toString());
        }
    }

    /** Mounts the ext4 filesystem on a block device at the target directory. */
    void mountExt4(String device, Path target, boolean readOnly, List<String> flags) throws IOException {
        List<String> options = new ArrayList<>(flags);
        options.add(readOnly ? "ro" : "rw");
        options.add("nodev");
        commands.run("mount", "-t", "ext4", "-o", String.join(",", options), device, target.toString());
    }

    /** Unmounts the target until nothing is mounted there (a target may have been mounted twice). */
    void unmountAll(Path target) throws IOException {
        while (isMountPoint(target)) {
            commands.run("umount", target.toString());
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

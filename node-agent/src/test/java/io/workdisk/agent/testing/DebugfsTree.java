package io.workdisk.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an image's whole tree with debugfs, independently of the engine's own ext4 reader, so tests
 * compare what e2fsprogs sees with what was put in. Batches commands: a handful of processes per image.
 */
public final class DebugfsTree {
    private static final Pattern LS_ENTRY = Pattern.compile("/(\\d+)/(\\d+)/(\\d+)/(\\d+)/([^/]*)/(\\d*)/\\n");
    private static final Pattern STAT_HEAD = Pattern.compile("Inode: (\\d+)\\s");
    private static final Pattern PERM = Pattern.compile("Mode:\\s+([0-7]+)\\s");
    private static final Pattern LINKS = Pattern.compile("Links: (\\d+)\\s+Blockcount: (\\d+)");
    private static final Pattern MTIME = Pattern.compile(" mtime: 0x([0-9a-f]+):([0-9a-f]+)");
    private static final Pattern FAST_LINK = Pattern.compile("Fast link dest: \"(.*)\"", Pattern.DOTALL);

    /** One entry as e2fsprogs reports it. {@code content} is set for regular files and symlinks. */
    public record Entry(
            String path,
            long inode,
            int mode,
            long uid,
            long gid,
            long size,
            int links,
            long blockBytes,
            long mtimeSeconds,
            long mtimeNanos,
            byte[] content) {
        public boolean isDirectory() {
            return (mode & 0xF000) == 0x4000;
        }

        public boolean isRegular() {
            return (mode & 0xF000) == 0x8000;
        }

        public boolean isSymlink() {
            return (mode & 0xF000) == 0xA000;
        }
    }

    private DebugfsTree() {}

    /** Every entry below the root by path ("" is the root), lost+found at the top excluded. */
    public static Map<String, Entry> read(Path image, Path scratch) throws IOException {
        Map<String, long[]> listing = new LinkedHashMap<>();
        listing.put("", new long[] {2, 040000});
        List<String[]> level = List.<String[]>of(new String[] {"", "2"});
        while (!level.isEmpty()) {
            List<String> cmds = new ArrayList<>();
            for (String[] d : level) {
                cmds.add("ls -p <" + d[1] + ">");
            }
            String out = batch(image, scratch, cmds);
            String[] sections = out.split("debugfs: ls -p <\\d+>\\n", -1);
            List<String[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i++) {
                String prefix = level.get(i)[0];
                Matcher m = LS_ENTRY.matcher(sections[i + 1]);
                while (m.find()) {
                    String name = m.group(5);
                    if (name.equals(".") || name.equals("..") || (prefix.isEmpty() && name.equals("lost+found"))) {
                        continue;
                    }
                    String path = prefix.isEmpty() ? name : prefix + "/" + name;
                    long ino = Long.parseLong(m.group(1));
                    int mode = Integer.parseInt(m.group(2), 8);
                    listing.put(path, new long[] {ino, mode});
                    if ((mode & 0xF000) == 0x4000) {
                        next.add(new String[] {path, Long.toString(ino)});
                    }
                }
            }
            level = next;
        }
        return describe(image, scratch, listing);
    }

    private static Map<String, Entry> describe(Path image, Path scratch, Map<String, long[]> listing)
            throws IOException {
        List<String> cmds = new ArrayList<>();
        Path dumps = Files.createTempDirectory(scratch, "dump");
        for (Map.Entry<String, long[]> e : listing.entrySet()) {
            long ino = e.getValue()[0];
            cmds.add("stat <" + ino + ">");
            if ((e.getValue()[1] & 0xF000) == 0x8000 || (e.getValue()[1] & 0xF000) == 0xA000) {
                cmds.add("dump <" + ino + "> " + dumps.resolve(Long.toString(ino)));
            }
        }
        String out = batch(image, scratch, cmds);
        Map<Long, String> statByInode = new HashMap<>();
        for (String section : out.split("debugfs: ")) {
            Matcher h = STAT_HEAD.matcher(section);
            if (section.startsWith("stat") && h.find()) {
                statByInode.put(Long.parseLong(h.group(1)), section);
            }
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : listing.entrySet()) {
            long ino = e.getValue()[0];
            String stat = statByInode.get(ino);
            if (stat == null) {
                throw new AssertionError("debugfs gave no stat for inode " + ino + " (" + e.getKey() + ")");
            }
            Matcher perm = PERM.matcher(stat);
            if (!perm.find()) {
                throw new AssertionError("no Mode in debugfs stat output:\n" + stat);
            }
            // the type comes from the directory listing, the permission bits from the inode itself
            int mode = ((int) e.getValue()[1] & 0xF000) | Integer.parseInt(perm.group(1), 8);
            Matcher user = Pattern.compile("User:\\s+(\\d+)\\s+Group:\\s+(\\d+)\\s.*?Size: (\\d+)")
                    .matcher(stat);
            Matcher links = LINKS.matcher(stat);
            Matcher mtime = MTIME.matcher(stat);
            if (!user.find() || !links.find() || !mtime.find()) {
                throw new AssertionError("unexpected debugfs stat output:\n" + stat);
            }
            long size = Long.parseLong(user.group(3));
            long extra = Long.parseLong(mtime.group(2), 16);
            long seconds = (int) Long.parseLong(mtime.group(1), 16) + ((extra & 3) << 32);
            byte[] content = null;
            if ((mode & 0xF000) == 0xA000) {
                Matcher fast = FAST_LINK.matcher(stat);
                content = fast.find() && size < 60
                        ? fast.group(1).substring(0, (int) size).getBytes(StandardCharsets.UTF_8)
                        : Files.readAllBytes(dumps.resolve(Long.toString(ino)));
            } else if ((mode & 0xF000) == 0x8000) {
                content = Files.readAllBytes(dumps.resolve(Long.toString(ino)));
            }
            entries.put(
                    e.getKey(),
                    new Entry(
                            e.getKey(),
                            ino,
                            mode,
                            Long.parseLong(user.group(1)),
                            Long.parseLong(user.group(2)),
                            size,
                            Integer.parseInt(links.group(1)),
                            Long.parseLong(links.group(2)) * 512,
                            seconds,
                            extra >>> 2,
                            content));
        }
        return entries;
    }

    private static String batch(Path image, Path scratch, List<String> commands) throws IOException {
        Path script = Files.createTempFile(scratch, "debugfs", ".cmds");
        Files.write(script, commands);
        Shell.Result r = Shell.run(List.of("debugfs", "-f", script.toString(), image.toString()));
        if (r.exitCode() != 0) {
            throw new AssertionError("debugfs failed: " + r.stderr());
        }
        return r.stdout() + "\n";
    }
}

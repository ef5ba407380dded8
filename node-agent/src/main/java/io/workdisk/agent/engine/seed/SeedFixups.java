package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.DirEntry;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a built seed with what the rootfs said each entry must be, and lists the debugfs commands
 * that close the gaps mkfs.ext4 -d leaves: the root directory's mode and times, sub-second timestamps,
 * owners (a staging tree is owned by whoever runs the agent), and the extended attributes kept with
 * PRESERVE that did not arrive with mkfs (a staging tree carries none: the host would honour them; mke2fs's
 * tar reader applies file capabilities only). Commands address inodes by number, so no
 * file name ever passes through debugfs's command parser.
 */
public final class SeedFixups {
    private SeedFixups() {}

    /**
     * The commands needed and the attribute values they read from {@code valueDir}; no commands when the
     * seed already matches in full.
     */
    public static Fixups commands(Ext4Image seed, List<ExpectedEntry> expected, Path valueDir) throws IOException {
        Map<String, Inode> actual = index(seed);
        List<String> commands = new ArrayList<>();
        Map<Path, byte[]> values = new LinkedHashMap<>();
        for (ExpectedEntry want : expected) {
            Inode have = actual.get(want.path());
            if (have == null) {
                throw new IOException("the built seed lacks /" + SeedPaths.printable(SeedPaths.bytes(want.path())));
            }
            String ino = "<" + have.number() + ">";
            if (have.mode() != want.mode()) {
                commands.add("sif " + ino + " mode 0" + Integer.toOctalString(want.mode()));
            }
            if (have.uid() != want.owner().uid()) {
                commands.add("sif " + ino + " uid " + want.owner().uid());
            }
            if (have.gid() != want.owner().gid()) {
                commands.add("sif " + ino + " gid " + want.owner().gid());
            }
            timeFix(commands, ino, "mtime", have.mtime(), want.mtime());
            timeFix(commands, ino, "atime", have.atime(), want.atime());
            if (want.owner().xattrsKept()) {
                xattrFix(commands, values, valueDir, ino, byName(seed.xattrs(have)), want);
            }
        }
        return new Fixups(List.copyOf(commands), values);
    }

    /** A value that lives in an inode of its own (null here) never equals a wanted value: it is set again. */
    private static Map<String, byte[]> byName(List<Ext4Image.Xattr> xattrs) {
        Map<String, byte[]> all = new HashMap<>();
        for (Ext4Image.Xattr x : xattrs) {
            all.put(x.name(), x.value());
        }
        return all;
    }

    /** debugfs commands, and the files (with their bytes) that ea_set reads attribute values from. */
    public record Fixups(List<String> commands, Map<Path, byte[]> values) {
        public boolean isEmpty() {
            return commands.isEmpty();
        }
    }

    private static void xattrFix(
            List<String> commands,
            Map<Path, byte[]> values,
            Path valueDir,
            String ino,
            Map<String, byte[]> have,
            ExpectedEntry want)
            throws IOException {
        for (String name : have.keySet()) {
            if (!want.owner().xattrs().containsKey(name)) {
                if (!EntryOwner.carriable(name)) {
                    throw new IOException("the built seed's /" + SeedPaths.printable(SeedPaths.bytes(want.path()))
                            + " carries attribute " + name + ", which the seed cannot hold");
                }
                commands.add("ea_rm " + ino + " " + name);
            }
        }
        for (Map.Entry<String, byte[]> e : want.owner().xattrs().entrySet()) {
            if (!EntryOwner.carriable(e.getKey())) {
                throw new IOException("attribute name of /" + SeedPaths.printable(SeedPaths.bytes(want.path()))
                        + " cannot be written: " + e.getKey());
            }
            if (!Arrays.equals(have.get(e.getKey()), e.getValue())) {
                Path file = valueDir.resolve("xattr-" + values.size());
                values.put(file, e.getValue());
                commands.add("ea_set -f \"" + file + "\" " + ino + " " + e.getKey());
            }
        }
    }

    private static void timeFix(
            List<String> commands, String ino, String field, Inode.Timestamp have, Inode.Timestamp want) {
        if (have.equals(want)) {
            return;
        }
        // ext4 keeps seconds as a signed 32-bit value plus two epoch bits in the "extra" word.
        long epochBits = (want.seconds() - (int) want.seconds()) >> 32;
        commands.add("sif " + ino + " " + field + " @" + want.seconds());
        commands.add("sif " + ino + " " + field + "_extra " + ((want.nanos() << 2) | (epochBits & 3)));
    }

    /**
     * Every entry of the seed by its path below the root as a {@link SeedPaths#key}, "" being the root; the
     * top lost+found is left out.
     */
    public static Map<String, Inode> index(Ext4Image seed) throws IOException {
        Map<String, Inode> byPath = new HashMap<>();
        Inode root = seed.inode(Ext4Image.ROOT_INODE);
        byPath.put("", root);
        walk(seed, root, "", byPath);
        return byPath;
    }

    private static void walk(Ext4Image seed, Inode dir, String prefix, Map<String, Inode> out) throws IOException {
        for (DirEntry e : seed.list(dir)) {
            String name = SeedPaths.key(e.name());
            if (prefix.isEmpty() && name.equals("lost+found")) {
                continue;
            }
            Inode child = seed.inode(e.inode());
            out.put(prefix + name, child);
            if (child.isDirectory()) {
                walk(seed, child, prefix + name + "/", out);
            }
        }
    }
}

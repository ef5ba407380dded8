package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.DirEntry;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a built seed with what the rootfs said each entry must be, and lists the debugfs commands
 * that close the gaps mkfs.ext4 -d leaves: the root directory's mode and times, sub-second timestamps,
 * and owners (a staging tree is owned by whoever runs the agent). Commands address inodes by number, so no
 * file name ever passes through debugfs's command parser.
 */
public final class SeedFixups {
    private SeedFixups() {}

    /** The commands needed; empty when the seed already matches in full. */
    public static List<String> commands(Ext4Image seed, List<ExpectedEntry> expected) throws IOException {
        Map<String, Inode> actual = index(seed);
        List<String> commands = new ArrayList<>();
        for (ExpectedEntry want : expected) {
            Inode have = actual.get(want.path());
            if (have == null) {
                throw new IOException("the built seed lacks /" + SeedPaths.printable(SeedPaths.bytes(want.path())));
            }
            String ino = "<" + have.number() + ">";
            if (have.mode() != want.mode()) {
                commands.add("sif " + ino + " mode 0" + Integer.toOctalString(want.mode()));
            }
            if (have.uid() != want.uid()) {
                commands.add("sif " + ino + " uid " + want.uid());
            }
            if (have.gid() != want.gid()) {
                commands.add("sif " + ino + " gid " + want.gid());
            }
            timeFix(commands, ino, "mtime", have.mtime(), want.mtime());
            timeFix(commands, ino, "atime", have.atime(), want.atime());
        }
        return commands;
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

package io.workdisk.agent.engine.tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The only place that says how workdisk formats ext4. Every mkfs.ext4 call in the project is built here,
 * from {@link #CANONICAL_EXTENDED_OPTIONS}.
 */
public final class Mkfs {
    /**
     * root_owner stamps the filesystem root (the guest's /root) 0:0 so sshd's StrictModes accepts it;
     * lazy_itable_init and lazy_journal_init skip zeroing inode tables and journal at format time, which
     * the guest kernel does lazily instead: formatting stays flat as disks grow.
     */
    public static final String CANONICAL_EXTENDED_OPTIONS = "root_owner=0:0,lazy_itable_init=1,lazy_journal_init=1";

    /**
     * 4 KiB blocks and 256-byte inodes at every size: below 512 MiB mke2fs would otherwise pick 1 KiB
     * blocks and 128-byte inodes, which cannot hold timestamps past 2038, and a seed grown into a disk
     * keeps the geometry it was made with.
     */
    private static final List<String> GEOMETRY = List.of("-b", "4096", "-I", "256");

    private Mkfs() {}

    /** A blank work disk. A preallocated file must not be discarded (punched) by mke2fs. */
    public static List<String> blankDisk(Path image, boolean preallocated) {
        List<String> args = new ArrayList<>(List.of("-q", "-F"));
        args.addAll(GEOMETRY);
        args.add("-E");
        args.add(CANONICAL_EXTENDED_OPTIONS + (preallocated ? ",nodiscard" : ""));
        args.add(image.toString());
        return args;
    }

    /**
     * A seed populated from a staged tree or a tar file ({@code tree}; none for an empty seed). A fixed
     * inode ratio keeps disks grown from it like blank ones; metadata_csum_seed lets each disk get a new
     * UUID without rewriting every checksum.
     */
    public static List<String> seed(Path image, Path tree, long bytesPerInode) {
        return seed(image, tree == null ? null : tree.toString(), bytesPerInode);
    }

    /** A seed populated from a tar archive that mke2fs reads on its standard input as it is written. */
    public static List<String> seedFromStandardInput(Path image, long bytesPerInode) {
        return seed(image, "-", bytesPerInode);
    }

    private static List<String> seed(Path image, String tree, long bytesPerInode) {
        List<String> args = new ArrayList<>(List.of("-q", "-F"));
        args.addAll(GEOMETRY);
        args.addAll(List.of("-i", Long.toString(bytesPerInode), "-O", "metadata_csum,metadata_csum_seed"));
        args.add("-E");
        args.add(CANONICAL_EXTENDED_OPTIONS);
        if (tree != null) {
            args.add("-d");
            args.add(tree);
        }
        args.add(image.toString());
        return args;
    }
}

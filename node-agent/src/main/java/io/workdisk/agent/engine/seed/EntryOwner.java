package io.workdisk.agent.engine.seed;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Who owns one seed entry and which extended attributes it carries. With {@code xattrsKept} false the
 * seed's attributes are not the source's business (the ROOT rule); with it true they must match exactly.
 */
public record EntryOwner(long uid, long gid, SortedMap<String, byte[]> xattrs, boolean xattrsKept) {
    private static final EntryOwner ROOT = new EntryOwner(0, 0, Collections.emptySortedMap(), false);

    /** The ROOT rule: 0:0, attributes not carried over. */
    public static EntryOwner root() {
        return ROOT;
    }

    /** The PRESERVE rule: these owners and exactly these attributes. */
    public static EntryOwner preserved(long uid, long gid, SortedMap<String, byte[]> xattrs) {
        return new EntryOwner(uid, gid, Collections.unmodifiableSortedMap(new TreeMap<>(xattrs)), true);
    }

    /**
     * Whether an attribute name can be carried into a seed: the user, trusted and security namespaces
     * (POSIX ACLs and other system names have their own on-disk encodings), and a name debugfs can take
     * as one plain word.
     */
    public static boolean carriable(String name) {
        if (!(name.startsWith("user.") || name.startsWith("trusted.") || name.startsWith("security."))) {
            return false;
        }
        byte[] raw = name.getBytes(StandardCharsets.UTF_8);
        if (raw.length > 255) {
            return false;
        }
        for (byte b : raw) {
            if (b <= ' ' || b >= 0x7f || b == '"' || b == '\'' || b == '\\' || b == '#') {
                return false;
            }
        }
        return true;
    }
}

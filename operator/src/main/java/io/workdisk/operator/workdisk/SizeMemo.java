package io.workdisk.operator.workdisk;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link DiskSize#parse} remembered per distinct string, one memo per operator, shared by the planner and the
 * placement count. Parsing a quantity is slow next to what placement does with it (it sums every disk's size
 * for each disk it places: 1,000 disks are a million parses). The memo only ever gives the answer parsing
 * would; it is bounded, because sizes are user input.
 */
public final class SizeMemo {
    private static final int REMEMBERED = 4096;

    private final Map<String, DiskSize.Parsed> parsed = new ConcurrentHashMap<>();

    public DiskSize.Parsed parse(String size) {
        if (size == null) {
            return DiskSize.parse(null);
        }
        if (parsed.size() >= REMEMBERED) {
            parsed.clear();
        }
        return parsed.computeIfAbsent(size, DiskSize::parse);
    }

    /** What a disk takes on its node as placement counts it: its size, or nothing if spec.size is not one. */
    public long requestedBytes(String size) {
        DiskSize.Parsed p = parse(size);
        return p.ok() ? p.bytes() : 0;
    }
}

package io.workdisk.operator.workdisk;

import io.fabric8.kubernetes.api.model.Quantity;
import io.workdisk.api.DiskLimits;
import java.math.BigDecimal;

/**
 * A WorkDisk's spec.size in bytes, with the checks the CRD schema makes, for API servers that do not.
 * Placement parses sizes through a {@link SizeMemo}, since it reads every disk's size for each disk it places.
 */
public final class DiskSize {
    public static final long MIN_BYTES = DiskLimits.MIN_BYTES;
    /** The largest file ext4, the usual data root, can hold (2^32 blocks of 4 KiB); a disk must be smaller. */
    public static final long LIMIT_BYTES = DiskLimits.LIMIT_BYTES;

    public static final long BLOCK = 4096;

    private DiskSize() {}

    /** The size in bytes, or an explanation of why it is not one. */
    public record Parsed(Long bytes, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    public static Parsed parse(String size) {
        if (size == null || size.isBlank()) {
            return new Parsed(null, "spec.size is required");
        }
        return read(size);
    }

    private static Parsed read(String size) {
        BigDecimal bytes;
        try {
            bytes = Quantity.getAmountInBytes(new Quantity(size.strip()));
        } catch (RuntimeException e) {
            return new Parsed(null, "spec.size '" + size + "' is not a quantity (use e.g. 8Gi)");
        }
        if (bytes.signum() <= 0) {
            return new Parsed(null, "spec.size '" + size + "' must be positive");
        }
        if (bytes.stripTrailingZeros().scale() > 0) {
            return new Parsed(null, "spec.size '" + size + "' is not a whole number of bytes");
        }
        if (bytes.compareTo(BigDecimal.valueOf(LIMIT_BYTES)) >= 0) {
            return new Parsed(
                    null,
                    "spec.size '" + size + "' is not below the maximum of " + DiskLimits.LIMIT_QUANTITY
                            + " (the largest file"
                            + " an ext4 data root can hold)");
        }
        if (bytes.longValue() < MIN_BYTES) {
            return new Parsed(null, "spec.size '" + size + "' is below the minimum of " + DiskLimits.MIN_QUANTITY);
        }
        return new Parsed(bytes.longValue(), null);
    }

    /** The filesystem size a request gives: whole 4 KiB blocks. */
    public static long filesystemBytes(long requested) {
        return requested / BLOCK * BLOCK;
    }
}

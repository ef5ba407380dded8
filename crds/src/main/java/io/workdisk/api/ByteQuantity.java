package io.workdisk.api;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A byte count as a person reads it and Kubernetes parses it: a quantity in binary units with at most three
 * significant digits (252Gi, 12.5Gi, 1.95Gi), rounded down so that it never claims more than there is.
 */
public final class ByteQuantity {
    private static final String[] UNITS = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private ByteQuantity() {}

    public static String readable(long bytes) {
        int unit = 0;
        while (unit < UNITS.length - 1 && bytes >= 1L << (10 * (unit + 1))) {
            unit++;
        }
        if (unit == 0) {
            return Long.toString(bytes);
        }
        BigDecimal value = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << (10 * unit))); // exact: 2^k
        int integerDigits = value.precision() - value.scale();
        return value.setScale(Math.max(0, 3 - integerDigits), RoundingMode.DOWN)
                        .stripTrailingZeros()
                        .toPlainString()
                + UNITS[unit];
    }

    /** {@link #readable(long)}, or null for null. */
    public static String readable(Long bytes) {
        return bytes == null ? null : readable(bytes.longValue());
    }
}

package io.workdisk.agent.engine.shared;

/** Byte counts for people: binary units, as Kubernetes quantities write them. */
public final class Sizes {
    private static final String[] UNITS = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Sizes() {}

    public static String human(long bytes) {
        int unit = 0;
        double value = bytes;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        if (unit == 0) {
            return bytes + " bytes";
        }
        return (value == Math.rint(value) ? String.format("%.0f", value) : String.format("%.1f", value)) + UNITS[unit];
    }
}

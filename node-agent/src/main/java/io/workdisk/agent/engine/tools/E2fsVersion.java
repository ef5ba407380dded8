package io.workdisk.agent.engine.tools;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An e2fsprogs release, as {@code mke2fs -V} names it ("mke2fs 1.47.2 (1-Jan-2025)"). */
public record E2fsVersion(int major, int minor, int patch) implements Comparable<E2fsVersion> {
    /** The first release whose mke2fs -d takes a tar archive. */
    public static final E2fsVersion TAR_INPUT = new E2fsVersion(1, 47, 1);

    private static final Pattern BANNER = Pattern.compile("(?m)^mke2fs (\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public static Optional<E2fsVersion> parse(String mke2fsBanner) {
        Matcher m = BANNER.matcher(mke2fsBanner);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new E2fsVersion(
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    public boolean atLeast(E2fsVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(E2fsVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}

package io.workdisk.agent.engine.oci;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image platform as an index names it: {@code os/architecture[/variant]} in Go's names
 * ({@code linux/amd64}, {@code linux/arm64}, {@code linux/arm/v7}).
 *
 * @param variant the CPU variant, or null for "any" (when asked) or "none given" (in an index)
 */
public record Platform(String os, String architecture, String variant) {
    private static final Pattern PART = Pattern.compile("[a-z0-9_.-]{1,32}");

    /** {@code os/arch[/variant]}, as a user writes it. */
    public static Platform parse(String text) throws EngineException {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    "platform '" + Printable.printable(text) + "' is not os/architecture[/variant], e.g. linux/amd64");
        }
        for (String part : parts) {
            if (!PART.matcher(part).matches()) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "platform '" + Printable.printable(text) + "' has a part '" + Printable.printable(part)
                                + "' that is not lower-case letters, digits, . _ -");
            }
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** This machine's platform, from the JVM's {@code os.name} and {@code os.arch}. */
    public static Platform host() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    public static Platform of(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT).startsWith("linux") ? "linux" : osName.toLowerCase(Locale.ROOT);
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> new Platform(os, "amd64", null);
            case "aarch64", "arm64" -> new Platform(os, "arm64", null);
            case "arm", "armv7l" -> new Platform(os, "arm", "v7");
            case "x86", "i386", "i686" -> new Platform(os, "386", null);
            case "ppc64le" -> new Platform(os, "ppc64le", null);
            case "s390x" -> new Platform(os, "s390x", null);
            case "riscv64" -> new Platform(os, "riscv64", null);
            default -> new Platform(os, osArch.toLowerCase(Locale.ROOT), null);
        };
    }

    /**
     * Whether an image for {@code offered} runs here. A variant asked for must match, except that arm64
     * without a variant is v8 (as containerd reads it); asked without a variant, any variant does.
     */
    public boolean accepts(Platform offered) {
        if (!os.equals(offered.os) || !architecture.equals(offered.architecture)) {
            return false;
        }
        return variant == null || variant.equals(normalVariant(offered));
    }

    private String normalVariant(Platform p) {
        return p.variant == null && "arm64".equals(p.architecture) ? "v8" : p.variant;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}

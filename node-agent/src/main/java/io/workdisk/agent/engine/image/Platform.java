package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.EngineException;
import io.workdisk.agent.engine.Problem;
import java.util.Locale;

/** An image platform as OCI names it: os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8. */
public record Platform(String os, String architecture, String variant) {
    public static Platform parse(String text) throws EngineException {
        String[] parts = text.strip().split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new EngineException(Problem.INVALID_TASK, "platform '" + text + "' is not OS/ARCH[/VARIANT]");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }

    /** The platform this JVM runs on, in OCI's (Go's) names. */
    public static Platform ofThisMachine() {
        String arch = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> System.getProperty("os.arch");
        };
        return new Platform("linux", arch, "");
    }

    /** Whether an image built for {@code os/architecture/variant} runs here; no variant asked means any. */
    public boolean accepts(String os, String architecture, String variant) {
        if (!this.os.equals(os) || !this.architecture.equals(architecture)) {
            return false;
        }
        if (this.variant.isEmpty() || this.variant.equals(variant)) {
            return true;
        }
        // arm64 images are v8 whether or not they say so.
        return architecture.equals("arm64") && this.variant.equals("v8") && (variant == null || variant.isEmpty());
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}

package io.workdisk.csi;

import java.util.Arrays;
import java.util.Optional;

/** How a published WorkDisk appears at its target path. */
public enum Presentation {
    /** volumeMode Block: the image on a loop device, the device node at the target. */
    BLOCK("block"),
    /** volumeMode Filesystem, the default: the image itself as {@code disk.img} in the target directory (KubeVirt). */
    DISK_IMAGE("diskImage"),
    /** volumeMode Filesystem, asked for: the image's ext4 filesystem mounted at the target (pods that want files). */
    MOUNTED("mounted");

    /** The file name KubeVirt looks for at the root of a Filesystem PVC. */
    public static final String DISK_IMAGE_FILE = "disk.img";

    private final String parameter;

    Presentation(String parameter) {
        this.parameter = parameter;
    }

    /** The value of the {@link CsiDriver#PRESENTATION} parameter that chooses it. */
    public String parameter() {
        return parameter;
    }

    /** A Filesystem presentation by its parameter value; empty for a value that names none. */
    public static Optional<Presentation> ofFilesystemParameter(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of(DISK_IMAGE);
        }
        return Arrays.stream(values())
                .filter(p -> p != BLOCK && p.parameter.equals(value))
                .findFirst();
    }
}

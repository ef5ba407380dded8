package io.workdisk.csi;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A CSI volume id: the WorkDisk it stands for, as {@code <namespace>/<name>/<uid>}. Readable in {@code kubectl
 * get pv}, found with one GET, and tied to one WorkDisk: a deleted and re-made namesake has another UID and is
 * not the volume.
 */
public record VolumeId(String namespace, String name, String uid) {
    /** DNS labels and subdomains (namespace, name) and a UID: nothing that could walk a path. */
    private static final Pattern FORM = Pattern.compile(
            "([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)/([a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?)/([0-9a-f-]{1,64})");

    public static VolumeId of(String namespace, String name, String uid) {
        return new VolumeId(namespace, name, uid);
    }

    /** The id read back; empty for any text that is not one this driver made. */
    public static Optional<VolumeId> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        var m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new VolumeId(m.group(1), m.group(3), m.group(5)));
    }

    @Override
    public String toString() {
        return namespace + "/" + name + "/" + uid;
    }
}

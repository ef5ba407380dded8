package io.workdisk.agent.engine.image;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Names of entries in image layers, which are untrusted: reduced to plain components (no "..", no absolute
 * names, no NUL) before anything is done with them, so an entry can name nothing outside the image's tree.
 */
final class EntryNames {
    private EntryNames() {}

    /**
     * The components of an untrusted entry name: "./" and trailing slashes dropped, "." ignored; an
     * absolute name or a ".." component is refused. An empty list is the image's root.
     */
    static List<String> components(String name) throws HostileEntryException {
        if (name.startsWith("/")) {
            throw new HostileEntryException("entry '" + name + "' has an absolute name");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new HostileEntryException("entry '" + name + "' climbs out of the image with '..'");
            }
            if (part.indexOf('\0') >= 0) {
                throw new HostileEntryException("entry '" + name.replace('\0', '?') + "' has a NUL in its name");
            }
            parts.add(part);
        }
        return parts;
    }

    static String join(List<String> parts) {
        return String.join("/", parts);
    }

    /** An entry the image must not contain: its name leaves the tree or it would write through a link. */
    static final class HostileEntryException extends IOException {
        HostileEntryException(String message) {
            super(message);
        }
    }
}

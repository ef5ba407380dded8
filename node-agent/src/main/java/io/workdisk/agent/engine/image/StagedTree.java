package io.workdisk.agent.engine.image;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The directory an image is flattened into, and the only way the flattener touches it. Java has no
 * openat, so confinement is by construction instead: every name is reduced to plain components (no
 * "..", no absolute names), every parent on the way to an entry is looked at without following links
 * and must be a real directory, and new entries are created exclusively (O_EXCL), so a symlink already
 * in the tree, whichever layer made it, is never written through. The tree is private to this build.
 */
final class StagedTree {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;

    StagedTree(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

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

    /**
     * The directory that holds {@code parts}' last component, checked to be a real directory all the way
     * down. Missing directories are made (0755) when {@code create}, and reported to {@code made};
     * otherwise a missing one gives null.
     */
    Path parentOf(List<String> parts, boolean create, List<Path> made) throws IOException {
        Path dir = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            dir = dir.resolve(parts.get(i));
            BasicFileAttributes a = attributes(dir);
            if (a == null) {
                if (!create) {
                    return null;
                }
                Files.createDirectory(dir);
                made.add(dir);
            } else if (a.isSymbolicLink()) {
                throw new HostileEntryException("entry '" + join(parts) + "' would be written through the symlink /"
                        + join(parts.subList(0, i + 1)));
            } else if (!a.isDirectory()) {
                throw new HostileEntryException("entry '" + join(parts) + "' lies below /"
                        + join(parts.subList(0, i + 1)) + ", which is not a directory");
            }
        }
        return dir;
    }

    /** The entry's attributes, never following a link; null when nothing is there. */
    static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Removes an entry and, for a directory, all below it, never following a link. */
    static void remove(Path p) throws IOException {
        BasicFileAttributes a = attributes(p);
        if (a == null) {
            return;
        }
        if (!a.isDirectory()) {
            Files.delete(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** An entry the image must not contain: its name leaves the tree or it would write through a link. */
    static final class HostileEntryException extends IOException {
        HostileEntryException(String message) {
            super(message);
        }
    }
}

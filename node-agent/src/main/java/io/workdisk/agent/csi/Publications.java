package io.workdisk.agent.csi;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The node's record of what is published where: one small JSON file per target under the data root, so it
 * outlives the agent (a restarted agent unpublishes what its predecessor published) and can be shown in the
 * node's status. Written whole to a temporary file and renamed into place.
 */
public final class Publications {
    /** Under the data root. */
    public static final String DIR = "csi/published";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Runnable changed;

    private Publications(Path dir, Runnable changed) {
        this.dir = dir;
        this.changed = changed;
    }

    public static Publications under(Path dataRoot) throws IOException {
        return under(dataRoot, () -> {});
    }

    /**
     * {@code changed} is told after each record or removal, so the node's record shows a publication at once
     * rather than at the next heartbeat: the operator waits on it before resizing or deleting a disk.
     */
    public static Publications under(Path dataRoot, Runnable changed) throws IOException {
        // made with the first record, not here: an agent must start on a data root it cannot write, to
        // report that in its node's record
        return new Publications(dataRoot.resolve(DIR), changed);
    }

    public synchronized Optional<Publication> at(Path target) throws IOException {
        Path file = fileFor(target);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), Publication.class));
    }

    public synchronized void record(Publication publication) throws IOException {
        Path file = fileFor(Path.of(publication.targetPath()));
        Files.createDirectories(dir);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temporary, JSON.writeValueAsBytes(publication));
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
        changed.run();
    }

    public synchronized void forget(Path target) throws IOException {
        if (Files.deleteIfExists(fileFor(target))) {
            changed.run();
        }
    }

    /** Every publication, in no particular order. */
    public synchronized List<Publication> all() throws IOException {
        List<Publication> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                found.add(JSON.readValue(file.toFile(), Publication.class));
            }
        }
        return found;
    }

    /** The publications of one disk image (its path as the record holds it). */
    public List<Publication> ofImage(Path image) throws IOException {
        String wanted = image.toAbsolutePath().normalize().toString();
        return all().stream()
                .filter(p -> Path.of(p.imagePath())
                        .toAbsolutePath()
                        .normalize()
                        .toString()
                        .equals(wanted))
                .toList();
    }

    /** The publications of one volume. */
    public List<Publication> of(String volumeId) throws IOException {
        return all().stream().filter(p -> p.volumeId().equals(volumeId)).toList();
    }

    /** Target paths are long and full of slashes: each record is named by its target's SHA-256. */
    private Path fileFor(Path target) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(target.toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(digest) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

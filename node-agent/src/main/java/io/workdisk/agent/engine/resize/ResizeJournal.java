package io.workdisk.agent.engine.resize;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.ext4.Superblock;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.Durability;
import io.workdisk.agent.engine.files.SpaceCheck;
import io.workdisk.agent.engine.files.TransientLockFile;
import io.workdisk.agent.engine.inspect.DiskInspector;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Sizes;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Growing a disk in place, made crash-safe by a write-ahead record. Before the file or filesystem
 * changes, a marker naming the original size is written and fsynced, and resize2fs keeps an undo file.
 * A resize that finishes removes both. If the marker is still there on the next start, the resize died
 * part-way and the disk is settled (see {@link #settle}): put back exactly as it was when the undo file
 * is complete, kept as it stands when it is whole, old size or new. It is never left half-grown.
 */
public final class ResizeJournal {
    /** e2fsck's exit bit for "operational error": it could not read or open what it was given. */
    private static final int E2FSCK_OPERATIONAL_ERROR = 8;

    private static final String PREFIX = ConfinedRoot.RESERVED_PREFIX + "resize-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final E2fsTools tools;
    private final Path disk;
    private final Path marker;
    private final Path undo;
    private final Path lockFile;

    public ResizeJournal(E2fsTools tools, Path disk) {
        this.tools = tools;
        this.disk = disk;
        String id = idFor(disk.getFileName().toString());
        Path dir = disk.getParent();
        this.marker = dir.resolve(PREFIX + id + ".json");
        this.undo = dir.resolve(PREFIX + id + ".undo");
        this.lockFile = dir.resolve(PREFIX + id + ".lock");
    }

    record Marker(String disk, long originalSize, long targetSize) {}

    /** A disk whose interrupted resize could not be rolled back, and what to do about it. */
    public record Unrecovered(Path disk, String message) {}

    public void grow(long sizeBytes) throws EngineException {
        tools.require("e2fsck", "resize2fs", "e2undo");
        try (TransientLockFile lock = lock()) {
            if (lock == null) {
                throw new EngineException(
                        Problem.TARGET_EXISTS, "a resize of " + ConfinedRoot.quoted(disk) + " is already running");
            }
            rollBackIfInterrupted();
            Superblock sb = DiskInspector.superblock(disk, "disk");
            if (sizeBytes < sb.sizeBytes()) {
                throw new EngineException(
                        Problem.SHRINK_REFUSED,
                        "shrinking is not supported: " + ConfinedRoot.quoted(disk)
                                + " holds a " + Sizes.human(sb.sizeBytes()) + " filesystem and "
                                + Sizes.human(sizeBytes)
                                + " was asked for");
            }
            long blocks = sizeBytes / sb.blockSize();
            if (blocks == sb.blocksCount()) {
                return;
            }
            long fileSize = Files.size(disk);
            SpaceCheck.requireFree(
                    disk.getParent(),
                    sizeBytes - Math.min(fileSize, sizeBytes),
                    "growing to " + Sizes.human(sizeBytes));
            check();
            writeMarker(new Marker(disk.getFileName().toString(), fileSize, sizeBytes));
            setLength(sizeBytes);
            tools.run("resize2fs", List.of("-f", "-z", undo.toString(), disk.toString(), Long.toString(blocks)));
            Durability.fsync(disk);
            Files.deleteIfExists(undo);
            Files.deleteIfExists(marker);
            Durability.fsync(disk.getParent());
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR, "resize of " + ConfinedRoot.quoted(disk) + " failed: " + ErrorText.of(e), e);
        }
    }

    /**
     * This disk's resize lock, null while another resize of it holds it. Its file exists only while it is
     * held, so a resize, done or refused, leaves nothing beside the disk.
     */
    private TransientLockFile lock() throws IOException, EngineException {
        try {
            return TransientLockFile.tryAcquire(lockFile).orElse(null);
        } catch (AccessDeniedException e) {
            throw new EngineException(
                    Problem.IO_ERROR,
                    "cannot resize " + ConfinedRoot.quoted(disk) + ": permission denied writing in "
                            + ConfinedRoot.quoted(disk.getParent()),
                    e);
        }
    }

    /**
     * Drops the lock file a resize of a disk being deleted may have left: resizes before locks were removed
     * on release kept it, and a killed resize still does.
     */
    public void forget() throws IOException {
        Files.deleteIfExists(lockFile);
    }

    /**
     * A read-only full check; a disk with errors or an unreplayed journal is not grown. e2fsck's exit code
     * is a bit mask: 8 says it could not do its work (an I/O error, a superblock it cannot open), which is
     * no verdict on the filesystem, and the message says so rather than send the user to repair it.
     */
    private void check() throws EngineException {
        E2fsTools.Result r = fsck();
        if ((r.exitCode() & E2FSCK_OPERATIONAL_ERROR) != 0) {
            throw new EngineException(
                    Problem.IO_ERROR,
                    "e2fsck could not check " + ConfinedRoot.quoted(disk) + " (exit " + r.exitCode()
                            + ", an operational error such as an I/O error): "
                            + E2fsTools.summarize(r.stderr().isBlank() ? r.stdout() : r.stderr())
                            + "; the disk was not grown");
        }
        if (r.exitCode() != 0) {
            throw new EngineException(
                    Problem.FILESYSTEM_NOT_CLEAN,
                    ConfinedRoot.quoted(disk)
                            + " has filesystem errors or an unreplayed journal (e2fsck -fn exit " + r.exitCode()
                            + "); repair it with e2fsck -f before growing it");
        }
    }

    /** e2fsck -fn on the disk: exit 0 when whole, non-zero (as a value, not a failure) when not. */
    private E2fsTools.Result fsck() throws EngineException {
        return tools.run("e2fsck", List.of("-f", "-n", disk.toString()), 1, 2, 4, 8, 12);
    }

    /**
     * Rolls back every interrupted resize in a directory whose owner is gone. Returns what could not be
     * recovered (one entry per disk): one such disk must not keep the node from serving the others, so
     * it is not thrown; callers act on the list (see {@link ResizeRecovery}).
     */
    public static List<Unrecovered> recoverAll(E2fsTools tools, Path directory) throws EngineException {
        List<Unrecovered> unrecovered = new ArrayList<>();
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(directory, PREFIX + "*.json")) {
            for (Path m : markers) {
                Marker record = JSON.readValue(m.toFile(), Marker.class);
                Path disk = directory.resolve(record.disk());
                ResizeJournal journal = new ResizeJournal(tools, disk);
                if (!journal.marker.equals(m)) {
                    continue;
                }
                try (TransientLockFile lock = journal.lock()) {
                    if (lock != null) {
                        try {
                            journal.rollBackIfInterrupted();
                        } catch (EngineException e) {
                            // its journal stays, so growing it fails with this message until it is repaired
                            unrecovered.add(new Unrecovered(disk, e.getMessage()));
                        }
                    }
                }
            }
            return unrecovered;
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR,
                    "cannot recover interrupted resizes in " + ConfinedRoot.quoted(directory) + ": " + ErrorText.of(e),
                    e);
        }
    }

    private void rollBackIfInterrupted() throws EngineException, IOException {
        if (!Files.exists(marker)) {
            Files.deleteIfExists(undo);
            return;
        }
        Marker record = JSON.readValue(marker.toFile(), Marker.class);
        if (Files.exists(disk)) {
            settle(record);
            Durability.fsync(disk);
        }
        Files.deleteIfExists(undo);
        Files.deleteIfExists(marker);
        Durability.fsync(disk.getParent());
    }

    /**
     * Leaves the disk of an interrupted resize whole, in the first way that works:
     * <ol>
     *   <li>resize2fs closed its undo file, so it records every block it overwrote: replaying it gives
     *       back exactly the disk that was;
     *   <li>otherwise the undo file lacks the blocks resize2fs wrote last (it writes its index lazily),
     *       and replaying part of it would mix two filesystems. But the crash may have come before
     *       resize2fs changed anything that matters, or after it committed the new size: if e2fsck finds
     *       the filesystem whole as it stands, old size or new, it is kept;
     *   <li>only then is what the undo file holds replayed, and kept if e2fsck finds the result whole.
     * </ol>
     * If none works, the journal stays, so the disk is never grown or used as if nothing happened, and
     * the error says what to do.
     */
    private void settle(Marker record) throws EngineException, IOException {
        UndoHeader header = UndoHeader.read(undo);
        if (header.complete() && replayUndo(false)) {
            if (Files.size(disk) > record.originalSize()) {
                setLength(record.originalSize());
            }
            return;
        }
        if (keptAsItStands(record)) {
            return;
        }
        if (header.present() && replayUndo(true) && keptAsItStands(record)) {
            return;
        }
        throw new EngineException(
                Problem.FILESYSTEM_NOT_CLEAN,
                "an interrupted resize of " + ConfinedRoot.quoted(disk)
                        + " could not be rolled back (its undo file " + ConfinedRoot.quoted(undo)
                        + " is incomplete) and e2fsck -fn finds errors; repair it with e2fsck -f, then remove "
                        + ConfinedRoot.quoted(marker));
    }

    private boolean replayUndo(boolean partial) throws EngineException {
        // an incomplete record's header checksum is stale and its superblock copy no longer matches: -f
        List<String> args =
                partial ? List.of("-f", undo.toString(), disk.toString()) : List.of(undo.toString(), disk.toString());
        return tools.run("e2undo", args, 1).exitCode() == 0;
    }

    /**
     * Keeps the filesystem the superblock describes (the old size or the new one) if e2fsck finds it
     * whole, with the file cut to fit it; returns false, with the disk unchanged but for a file grown to
     * the filesystem's size, if it is not whole.
     */
    private boolean keptAsItStands(Marker record) throws EngineException, IOException {
        long filesystem;
        try {
            filesystem = DiskInspector.superblock(disk, "disk").sizeBytes();
        } catch (EngineException unreadable) {
            return false;
        }
        if (Files.size(disk) < filesystem) {
            setLength(filesystem);
        }
        if (fsck().exitCode() != 0) {
            return false;
        }
        long fits = Math.max(filesystem, record.originalSize());
        if (Files.size(disk) > fits) {
            setLength(fits);
        }
        return true;
    }

    private void writeMarker(Marker record) throws IOException {
        Path tmp = marker.resolveSibling(marker.getFileName() + ".new");
        Files.write(tmp, JSON.writeValueAsBytes(record));
        Durability.fsync(tmp);
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
        Durability.fsync(disk.getParent());
    }

    private void setLength(long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(size);
            f.getFD().sync();
        }
    }

    private static String idFor(String fileName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(fileName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}

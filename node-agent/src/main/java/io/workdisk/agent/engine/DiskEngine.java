package io.workdisk.agent.engine;

import io.workdisk.agent.engine.ext4.Superblock;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.Durability;
import io.workdisk.agent.engine.files.Ownership;
import io.workdisk.agent.engine.files.SpaceCheck;
import io.workdisk.agent.engine.files.StagedOutput;
import io.workdisk.agent.engine.image.ImageSeedBuilder;
import io.workdisk.agent.engine.image.ImageSeedReport;
import io.workdisk.agent.engine.image.ImageSeedRequest;
import io.workdisk.agent.engine.image.LayerLimits;
import io.workdisk.agent.engine.image.LayerReaders;
import io.workdisk.agent.engine.inspect.DiskFacts;
import io.workdisk.agent.engine.inspect.DiskInspector;
import io.workdisk.agent.engine.output.Target;
import io.workdisk.agent.engine.resize.ResizeJournal;
import io.workdisk.agent.engine.resize.ResizeRecovery;
import io.workdisk.agent.engine.seed.SeedBuilder;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.seed.SeedRequest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Sizes;
import io.workdisk.agent.engine.shared.Timed;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.engine.tools.Mkfs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The node's disk engine: makes, grows, describes and removes ext4 work disks and seeds on local files.
 * It knows nothing of Kubernetes; the agent and the CLI both drive it. Every output is built under a
 * temporary name and published atomically; every path is confined to the caller's data root.
 */
public final class DiskEngine {
    private final E2fsTools tools;
    private final LongSupplier nanoTime;
    private final DiskInspector inspector;
    private final ResizeRecovery recovery;
    private final SeedMethod seedMethod;
    private final Clock clock;
    private final ExecutorService layerReaders;

    public DiskEngine(E2fsTools tools, LongSupplier nanoTime) {
        this(tools, nanoTime, SeedMethod.AUTO);
    }

    /** An engine that builds seeds one way only (tests of the path older e2fsprogs take). */
    public DiskEngine(E2fsTools tools, LongSupplier nanoTime, SeedMethod seedMethod) {
        this(tools, nanoTime, seedMethod, Clock.systemUTC());
    }

    /**
     * An engine whose {@code clock} dates what no source describes (the root of a seed whose subtree is
     * missing, the directories an image's layers imply but never list).
     */
    public DiskEngine(E2fsTools tools, LongSupplier nanoTime, SeedMethod seedMethod, Clock clock) {
        this(
                tools,
                nanoTime,
                seedMethod,
                clock,
                LayerReaders.pool(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * An engine whose image seeds read their layers on {@code layerReaders} ({@link LayerReaders#pool}),
     * which its owner shuts down: the agent hands every engine one pool, so builds running at once share
     * one reader per core rather than each starting its own.
     */
    public DiskEngine(
            E2fsTools tools, LongSupplier nanoTime, SeedMethod seedMethod, Clock clock, ExecutorService layerReaders) {
        this.layerReaders = layerReaders;
        this.tools = tools;
        this.nanoTime = nanoTime;
        this.inspector = new DiskInspector(tools);
        this.recovery = new ResizeRecovery(tools);
        this.seedMethod = seedMethod;
        this.clock = clock;
    }

    /** What crashed resizes left in the directories this engine has worked in, and how to recover more. */
    public ResizeRecovery recovery() {
        return recovery;
    }

    public static DiskEngine standard() {
        return new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime);
    }

    public record FormatRequest(Path target, long sizeBytes, boolean preallocate, String requester, boolean force) {}

    public record MaterializeRequest(
            Path seed, Path target, long sizeBytes, boolean preallocate, String requester, boolean force) {}

    /** A blank ext4 disk of the requested size. */
    public Timed<DiskFacts> format(ConfinedRoot root, FormatRequest req) throws EngineException {
        long start = nanoTime.getAsLong();
        SpaceCheck.checkDiskSize(req.sizeBytes());
        tools.require("mkfs.ext4");
        Target target = Target.prepare(root, req.target(), req.requester(), req.force(), recovery);
        SpaceCheck.requireFree(target.directory(), req.sizeBytes(), "a " + Sizes.human(req.sizeBytes()) + " disk");
        try (StagedOutput out = StagedOutput.begin(target.path())) {
            allocate(out.image(), req.sizeBytes(), req.preallocate());
            tools.run("mkfs.ext4", Mkfs.blankDisk(out.image(), req.preallocate()));
            Ownership.mark(out.image(), req.requester());
            Ownership.markDisk(out.image());
            out.publish(target.path(), target.replacesExisting());
        }
        double seconds = elapsed(start);
        return new Timed<>(seconds, inspector.inspect(target.path()));
    }

    /**
     * A disk holding exactly the seed's tree: a sparse (or reflinked) copy of the seed, given its own UUID
     * while it is still small, then grown to the requested size. Nothing is copied entry by entry.
     */
    public Timed<DiskFacts> materialize(ConfinedRoot root, MaterializeRequest req) throws EngineException {
        long start = nanoTime.getAsLong();
        SpaceCheck.checkDiskSize(req.sizeBytes());
        tools.require("cp", "tune2fs", "resize2fs");
        if (Ownership.isDisk(req.seed())) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    ConfinedRoot.quoted(req.seed()) + " is a disk, not a seed: make a seed with build-seed");
        }
        Superblock seed = DiskInspector.superblock(req.seed(), "seed");
        if (!seed.clean()) {
            throw new EngineException(
                    Problem.CORRUPT_IMAGE,
                    "seed " + ConfinedRoot.quoted(req.seed())
                            + " is not clean (errors recorded or journal not replayed); rebuild it");
        }
        if (req.sizeBytes() < seed.sizeBytes()) {
            throw new EngineException(
                    Problem.SIZE_BELOW_SEED,
                    "size " + Sizes.human(req.sizeBytes())
                            + " is below the seed's filesystem size " + Sizes.human(seed.sizeBytes()) + " ("
                            + seed.sizeBytes() + " bytes); ask for at least that much");
        }
        Target target = Target.prepare(root, req.target(), req.requester(), req.force(), recovery);
        SpaceCheck.requireFree(target.directory(), req.sizeBytes(), "a " + Sizes.human(req.sizeBytes()) + " disk");
        try (StagedOutput out = StagedOutput.begin(target.path())) {
            tools.run(
                    "cp",
                    List.of(
                            "--sparse=always",
                            "--reflink=auto",
                            "--",
                            req.seed().toString(),
                            out.image().toString()));
            tools.run("tune2fs", List.of("-U", "random", out.image().toString()));
            long blocks = req.sizeBytes() / seed.blockSize();
            allocate(out.image(), req.sizeBytes(), false);
            if (blocks > seed.blocksCount()) {
                tools.run("resize2fs", List.of(out.image().toString(), Long.toString(blocks)));
            }
            if (req.preallocate()) {
                preallocate(out.image(), req.sizeBytes());
            }
            Ownership.mark(out.image(), req.requester());
            Ownership.markDisk(out.image());
            out.publish(target.path(), target.replacesExisting());
        }
        double seconds = elapsed(start);
        return new Timed<>(seconds, inspector.inspect(target.path()));
    }

    public Timed<SeedReport> buildSeed(ConfinedRoot root, SeedRequest req) throws EngineException {
        long start = nanoTime.getAsLong();
        SeedReport report = new SeedBuilder(tools, nanoTime, recovery, seedMethod, clock).build(root, req);
        return new Timed<>(elapsed(start), report);
    }

    /**
     * A seed from an image's layers wherever they were read from (an archive, see {@link
     * ImageSeedRequest#fromArchive}; a registry's blobs in the layer cache): {@code phases} already holds
     * the time spent getting them and the result's seconds count from its start; {@code written} hears how
     * many entries reached mkfs so far.
     */
    public Timed<ImageSeedReport> buildImageSeed(
            ConfinedRoot root, ImageSeedRequest req, Phases phases, LongConsumer written) throws EngineException {
        ImageSeedReport report = new ImageSeedBuilder(
                        tools, nanoTime, recovery, LayerLimits.defaults(), seedMethod, clock, layerReaders)
                .build(root, req, phases, written);
        return new Timed<>(phases.totalSeconds(), report);
    }

    /** Grows a disk offline; see {@link ResizeJournal} for what a crash in the middle leaves. */
    public Timed<DiskFacts> resize(ConfinedRoot root, Path disk, long sizeBytes, String requester)
            throws EngineException {
        long start = nanoTime.getAsLong();
        Path path = existingOwned(root, disk, requester);
        new ResizeJournal(tools, path).grow(sizeBytes);
        double seconds = elapsed(start);
        return new Timed<>(seconds, inspector.inspect(path));
    }

    public Timed<DiskFacts> inspect(Path disk) throws EngineException {
        long start = nanoTime.getAsLong();
        DiskFacts facts = inspector.inspect(disk.toAbsolutePath());
        return new Timed<>(elapsed(start), facts);
    }

    public record Deletion(String path, boolean existed) {}

    /** Removes a disk workdisk made for this requester; a disk already gone is not an error. */
    public Timed<Deletion> delete(ConfinedRoot root, Path disk, String requester) throws EngineException {
        long start = nanoTime.getAsLong();
        Path path = root.confine(disk);
        recovery.recover(path.getParent());
        boolean existed = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
        if (existed) {
            Ownership.checkOwned(path, requester);
            try {
                Files.delete(path);
                new ResizeJournal(tools, path).forget();
                recovery.resolved(path); // its journal goes with the next recovery of the directory
                Durability.fsync(path.getParent());
            } catch (IOException e) {
                throw new EngineException(
                        Problem.IO_ERROR, "cannot delete " + ConfinedRoot.quoted(path) + ": " + ErrorText.of(e), e);
            }
        }
        return new Timed<>(elapsed(start), new Deletion(path.toString(), existed));
    }

    private Path existingOwned(ConfinedRoot root, Path disk, String requester) throws EngineException {
        Path path = root.confine(disk);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException(Problem.NOT_FOUND, "disk " + ConfinedRoot.quoted(path) + " does not exist");
        }
        Ownership.checkOwned(path, requester);
        return path;
    }

    /** Sets the file's length: sparse, or with every block reserved up front. */
    private void allocate(Path image, long sizeBytes, boolean preallocate) throws EngineException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(sizeBytes);
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR, "cannot size " + ConfinedRoot.quoted(image) + ": " + ErrorText.of(e), e);
        }
        if (preallocate) {
            preallocate(image, sizeBytes);
        }
    }

    private void preallocate(Path image, long sizeBytes) throws EngineException {
        E2fsTools.Result r = tools.run("fallocate", List.of("-l", Long.toString(sizeBytes), image.toString()), 1);
        if (r.exitCode() != 0) {
            Problem p = r.stderr().contains("No space") ? Problem.INSUFFICIENT_SPACE : Problem.TOOL_FAILED;
            throw new EngineException(
                    p,
                    "cannot preallocate " + Sizes.human(sizeBytes) + ": "
                            + r.stderr().strip());
        }
    }

    private double elapsed(long start) {
        return (nanoTime.getAsLong() - start) / 1e9;
    }
}

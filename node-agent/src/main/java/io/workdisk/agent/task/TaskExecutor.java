package io.workdisk.agent.task;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.Ownership;
import io.workdisk.agent.engine.inspect.DiskFacts;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.seed.SeedRequest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Timed;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.agent.source.RootfsSources;
import io.workdisk.agent.source.SeedOwnerships;
import io.workdisk.api.task.ImageReference;
import io.workdisk.api.task.SeedOwnership;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one task's engine step and says what came of it. Idempotent by design: a create step whose
 * image already exists for the same requester reports that image and touches nothing, so a task run
 * again after a crash or a lost status update never formats a disk twice.
 */
public final class TaskExecutor {
    private final DiskEngine engine;
    private final DataDirectories directories;
    private final RootfsSources sources;
    private final ImageSeeds images;
    private final DisksInUse inUse;

    public TaskExecutor(DiskEngine engine, DataDirectories directories, RootfsSources sources, ImageSeeds images) {
        this(engine, directories, sources, images, DisksInUse.NONE);
    }

    /** {@code inUse}: what this node's CSI service has published, asked before a disk is resized or removed. */
    public TaskExecutor(
            DiskEngine engine,
            DataDirectories directories,
            RootfsSources sources,
            ImageSeeds images,
            DisksInUse inUse) {
        this.engine = engine;
        this.directories = directories;
        this.sources = sources;
        this.images = images;
        this.inUse = inUse;
    }

    /** A finished step: its facts and timings. */
    public record Outcome(TaskResult result, double seconds, Map<String, Double> phaseSeconds) {}

    public Outcome run(WorkTaskSpec spec) throws EngineException {
        return run(spec, ImageSeeds.Progress.NONE);
    }

    /** Runs the step; a seed built from an image reports how far it has come to {@code progress}. */
    public Outcome run(WorkTaskSpec spec, ImageSeeds.Progress progress) throws EngineException {
        if (spec.type() == null) {
            throw new EngineException(Problem.INVALID_TASK, "task has no type");
        }
        Path path = directories.resolve(spec.path());
        if (spec.type() == TaskType.Format || spec.type() == TaskType.Materialize) {
            Optional<Outcome> done = existing(path, spec.requester());
            if (done.isPresent()) {
                return done.get();
            }
        }
        if (spec.type() == TaskType.Resize || spec.type() == TaskType.Delete) {
            refuseInUse(spec.type(), path);
        }
        boolean preallocate = Boolean.TRUE.equals(spec.preallocate());
        return switch (spec.type()) {
            case Format ->
                disk(
                        engine.format(
                                directories.root(),
                                new DiskEngine.FormatRequest(path, size(spec), preallocate, spec.requester(), false)),
                        false);
            case Materialize ->
                disk(
                        engine.materialize(
                                directories.root(),
                                new DiskEngine.MaterializeRequest(
                                        directories.root().confine(directories.resolve(spec.seedPath())),
                                        path,
                                        size(spec),
                                        preallocate,
                                        spec.requester(),
                                        false)),
                        false);
            case Resize -> disk(engine.resize(directories.root(), path, size(spec), spec.requester()), true);
            case Delete -> {
                Timed<DiskEngine.Deletion> deleted = engine.delete(directories.root(), path, spec.requester());
                yield new Outcome(
                        TaskResult.deleted(
                                deleted.result().path(), deleted.result().existed()),
                        deleted.seconds(),
                        Map.of());
            }
            case BuildSeed ->
                spec.source() != null && spec.source().fromImage() ? imageSeed(spec, path, progress) : seed(spec, path);
            case ResolveImage -> resolve(spec);
        };
    }

    /**
     * A published disk is a pod's open device, image or mounted filesystem: resizing or removing it under the
     * pod corrupts what the pod sees. Records that cannot be read refuse the step too (retryably): never
     * guess that a disk is free.
     */
    private void refuseInUse(TaskType type, Path image) throws EngineException {
        List<String> users;
        try {
            users = inUse.users(image);
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR,
                    "cannot read this node's CSI publications to see whether " + image + " is in use: "
                            + ErrorText.of(e),
                    e);
        }
        if (!users.isEmpty()) {
            throw new EngineException(
                    Problem.IN_USE,
                    "the disk is in use by " + String.join(", ", users) + "; the "
                            + (type == TaskType.Resize ? "resize" : "removal") + " waits for it to be unpublished");
        }
    }

    private Outcome resolve(WorkTaskSpec spec) throws EngineException {
        if (spec.source() == null || spec.source().image() == null) {
            throw new EngineException(Problem.INVALID_TASK, "a ResolveImage task names no image");
        }
        long start = System.nanoTime();
        String digest = images.resolve(spec.source().image());
        if (digest == null || !digest.matches(ImageReference.DIGEST_PATTERN)) {
            throw new IllegalStateException("the image source answered " + digest + ", not a sha256 digest");
        }
        return new Outcome(TaskResult.resolved(digest), (System.nanoTime() - start) / 1e9, Map.of());
    }

    private Outcome imageSeed(WorkTaskSpec spec, Path path, ImageSeeds.Progress progress) throws EngineException {
        SeedSource source = spec.source();
        if (source.count() != 1) {
            throw new EngineException(Problem.INVALID_TASK, SeedSource.EXACTLY_ONE);
        }
        SeedOwnership ownership = SeedOwnership.orDefault(spec.ownership());
        ImageSeeds.Request request;
        if (source.image() != null) {
            // every node builds the same content: the operator resolves a tag once and names the digest
            if (!ImageReference.parse(source.image().reference()).pinned()) {
                throw new EngineException(
                        Problem.INVALID_TASK,
                        "image " + source.image().reference() + " is not named by digest: a BuildSeed task "
                                + "carries the digest its WorkSeed's tag was resolved to");
            }
            request = ImageSeeds.Request.fromImage(source.image(), spec.subtree(), ownership, path, spec.requester());
        } else {
            request = ImageSeeds.Request.fromArchive(
                    sources.allowedOnNode("ociArchive", source.ociArchive().path()),
                    spec.subtree(),
                    ownership,
                    path,
                    spec.requester());
        }
        ImageSeeds.Built built = images.build(directories.root(), request, progress);
        SeedReport r = built.seed();
        return new Outcome(
                TaskResult.seed(r.path(), r.sizeBytes(), r.filesystemUUID(), r.payloadBytes(), r.files(), r.skipped())
                        .withImageDigest(built.imageDigest()),
                built.seconds(),
                r.phaseSeconds());
    }

    private Outcome seed(WorkTaskSpec spec, Path path) throws EngineException {
        try (RootfsSources.Fetched rootfs = sources.fetch(spec.source(), directories.downloads())) {
            Timed<SeedReport> built = engine.buildSeed(
                    directories.root(),
                    new SeedRequest(
                            rootfs.path(),
                            spec.subtree(),
                            SeedOwnerships.forEngine(spec.ownership()),
                            path,
                            spec.requester(),
                            true));
            SeedReport r = built.result();
            return new Outcome(
                    TaskResult.seed(
                            r.path(), r.sizeBytes(), r.filesystemUUID(), r.payloadBytes(), r.files(), r.skipped()),
                    built.seconds(),
                    r.phaseSeconds());
        }
    }

    /** The image a previous run of this task already published, if it is there and is this requester's. */
    private Optional<Outcome> existing(Path path, String requester) {
        try {
            Path confined = directories.root().confine(path);
            if (!Files.exists(confined, LinkOption.NOFOLLOW_LINKS)
                    || !Ownership.requesterOf(confined).map(requester::equals).orElse(false)) {
                return Optional.empty();
            }
            return Optional.of(disk(engine.inspect(confined), true));
        } catch (EngineException e) {
            return Optional.empty();
        }
    }

    private static Outcome disk(Timed<DiskFacts> timed, boolean existed) {
        DiskFacts f = timed.result();
        return new Outcome(
                TaskResult.disk(
                        f.path(), f.sizeBytes(), f.filesystemBytes(), f.allocatedBytes(), f.filesystemUUID(), existed),
                timed.seconds(),
                Map.of());
    }

    private static long size(WorkTaskSpec spec) throws EngineException {
        if (spec.sizeBytes() == null) {
            throw new EngineException(Problem.INVALID_SIZE, spec.type() + " task has no sizeBytes");
        }
        return spec.sizeBytes();
    }
}

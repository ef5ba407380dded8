package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.StagedOutput;
import io.workdisk.agent.engine.output.Target;
import io.workdisk.agent.engine.resize.ResizeRecovery;
import io.workdisk.agent.engine.seed.PaxTarWriter;
import io.workdisk.agent.engine.seed.SeedBuilder;
import io.workdisk.agent.engine.seed.SeedMaker;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Builds a seed from a container image. The layers are read twice: once for their headers only, applied
 * to a tree in memory ({@link LayerIndex}), then again for the surviving files' data ({@link FlatImage}).
 * Where mke2fs reads tars (e2fsprogs 1.47.1+ with libarchive) the second read streams one tar straight into
 * {@code mke2fs -d -}, and no file of the image is ever written loose; otherwise it writes a private
 * staging tree beside the output for {@code mkfs.ext4 -d DIR}. Either way the usual seed pipeline follows:
 * fix-ups for what mkfs left out, e2fsck -fn, atomic publish. Nothing is published unless every layer
 * applied and matched its digests.
 */
public final class ImageSeedBuilder {
    private final E2fsTools tools;
    private final LongSupplier nanoTime;
    private final ResizeRecovery recovery;
    private final LayerLimits limits;
    private final SeedMethod method;
    private final Clock clock;
    private final ExecutorService layerReaders;

    /**
     * {@code clock} dates the directories the layers imply but never list, and the root of an empty seed;
     * {@code layerReaders} is the node's pool of layer-reading threads ({@link LayerReaders#pool}).
     */
    public ImageSeedBuilder(
            E2fsTools tools,
            LongSupplier nanoTime,
            ResizeRecovery recovery,
            LayerLimits limits,
            SeedMethod method,
            Clock clock,
            ExecutorService layerReaders) {
        this.tools = tools;
        this.nanoTime = nanoTime;
        this.recovery = recovery;
        this.limits = limits;
        this.method = method;
        this.clock = clock;
        this.layerReaders = layerReaders;
    }

    /** Builds the seed {@code req} asks for, telling {@code written} how many entries reached mkfs so far. */
    public ImageSeedReport build(ConfinedRoot root, ImageSeedRequest req, Phases phases, LongConsumer written)
            throws EngineException {
        String subtree = SeedBuilder.normalizeSubtree(req.subtree());
        tools.require("mkfs.ext4", "debugfs", "e2fsck");
        Target target = Target.prepare(root, req.target(), req.requester(), req.force(), recovery);
        try (StagedOutput out = StagedOutput.begin(target.path())) {
            Path stage = out.stage();
            // The flattened image holds the image's setuid files: nobody else may reach them.
            Files.setAttribute(stage, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
            SeedMethod how = method != SeedMethod.AUTO
                    ? method
                    : tools.readsTar(stage) ? SeedMethod.TAR : SeedMethod.STAGING_TREE;
            LayerIndex index = index(req);
            FlatImage image = index.plan(subtree);
            phases.done("index");
            SeedMaker.Made made = how == SeedMethod.TAR
                    ? throughTar(out, image, req, target, phases, written)
                    : throughStagingTree(out, image, req, target, phases, written);
            SeedReport seed = SeedMaker.report(target, req.source(), subtree, made.extraction(), made, phases, how);
            LayerIndex.Stats stats = index.finish();
            return new ImageSeedReport(
                    seed,
                    req.ownership().name(),
                    req.image().manifestDigest(),
                    req.image().configDigest(),
                    req.image().platform(),
                    stats.layers(),
                    stats.entries(),
                    stats.uncompressedBytes(),
                    stats.whiteouts(),
                    stats.opaqueDirectories(),
                    stats.headersReplayed());
        } catch (IOException e) {
            throw SeedMaker.failure(target, e);
        }
    }

    /** The plan streamed as one tar into mke2fs as it reads ("mkfs"). */
    private SeedMaker.Made throughTar(
            StagedOutput out, FlatImage image, ImageSeedRequest req, Target target, Phases phases, LongConsumer written)
            throws IOException, EngineException {
        SeedMaker maker = new SeedMaker(tools);
        if (image.isEmpty()) {
            return maker.make(out, null, image.extraction(), target, req.requester(), phases);
        }
        return maker.makeStreaming(
                out,
                stdin -> {
                    image.writeTar(
                            req.image().layers(), limits, PaxTarWriter.streaming(Channels.newChannel(stdin)), written);
                    return SeedMaker.Streamed.whole(image.extraction());
                },
                image.extraction(),
                target,
                req.requester(),
                phases);
    }

    /** The plan written into a staging tree ("extract") that mkfs reads. */
    private SeedMaker.Made throughStagingTree(
            StagedOutput out, FlatImage image, ImageSeedRequest req, Target target, Phases phases, LongConsumer written)
            throws IOException, EngineException {
        Path rootfs = null;
        if (!image.isEmpty()) {
            rootfs = Files.createDirectory(out.stage().resolve("rootfs"));
            image.writeTree(req.image().layers(), limits, rootfs, written);
        }
        phases.done("extract");
        return new SeedMaker(tools).make(out, rootfs, image.extraction(), target, req.requester(), phases);
    }

    /** Every layer's headers applied, in order, to the tree in memory ("index"). */
    private LayerIndex index(ImageSeedRequest req) throws EngineException {
        Instant now = clock.instant();
        LayerIndex index = new LayerIndex(
                req.ownership(), limits, new Inode.Timestamp(now.getEpochSecond(), now.getNano()), layerReaders);
        index.applyAll(req.image().layers());
        return index;
    }
}

package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.EngineException;
import io.workdisk.agent.engine.Phases;
import io.workdisk.agent.engine.Problem;
import io.workdisk.agent.engine.ResizeRecovery;
import io.workdisk.agent.engine.Target;
import io.workdisk.agent.engine.files.DataRoot;
import io.workdisk.agent.engine.files.StagedOutput;
import io.workdisk.agent.engine.seed.Extraction;
import io.workdisk.agent.engine.seed.SeedBuilder;
import io.workdisk.agent.engine.seed.SeedMaker;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Builds a seed from a container image: its layers are flattened into a private staging tree beside the
 * output, then the usual seed pipeline runs on the subtree (mkfs.ext4 -d, fix-ups for owners, attributes
 * and sub-second times, e2fsck -fn, atomic publish). Nothing is published unless every layer applied and
 * matched its digests.
 */
public final class ImageSeedBuilder {
    private final E2fsTools tools;
    private final LongSupplier nanoTime;
    private final ResizeRecovery recovery;
    private final LayerLimits limits;

    public ImageSeedBuilder(E2fsTools tools, LongSupplier nanoTime, ResizeRecovery recovery, LayerLimits limits) {
        this.tools = tools;
        this.nanoTime = nanoTime;
        this.recovery = recovery;
        this.limits = limits;
    }

    /** Which image, which part of it, whose files, and where the seed goes. */
    public record Request(
            ImageLayers image,
            String source,
            String subtree,
            SeedOwnership ownership,
            Path target,
            String requester,
            boolean force) {}

    public ImageSeedReport build(DataRoot root, Request req, Phases phases) throws EngineException {
        String subtree = SeedBuilder.normalizeSubtree(req.subtree());
        tools.require("mkfs.ext4", "debugfs", "e2fsck");
        Target target = Target.prepare(root, req.target(), req.requester(), req.force(), recovery);
        try (StagedOutput out = StagedOutput.begin(target.path())) {
            Path stage = out.stage();
            // The flattened image holds the image's setuid files: nobody else may reach them.
            Files.setAttribute(stage, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
            Path rootfs = Files.createDirectory(stage.resolve("rootfs"));
            ImageFlattener flattener = new ImageFlattener(rootfs, req.ownership(), limits);
            for (Layer layer : req.image().layers()) {
                flattener.apply(layer);
            }
            ImageFlattener.Stats stats = flattener.finish();
            Extraction extraction = flattener.describe(subtree);
            phases.done("extract");
            SeedMaker.Made made = new SeedMaker(tools)
                    .make(out, flattener.treeOf(subtree), extraction, target, req.requester(), phases);
            SeedReport seed = new SeedReport(
                    target.path().toString(),
                    req.source(),
                    subtree,
                    made.sizeBytes(),
                    extraction.payloadBytes(),
                    extraction.files(),
                    extraction.directories(),
                    extraction.symlinks(),
                    extraction.hardLinks(),
                    extraction.skippedTotal(),
                    extraction.skipped(),
                    made.fixups(),
                    made.filesystemUUID(),
                    extraction.warnings(),
                    phases.seconds(),
                    // Layers are flattened into a directory first; mkfs reads that tree.
                    SeedMethod.STAGING_TREE.label());
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
                    stats.opaqueDirectories());
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left")) {
                throw new EngineException(
                        Problem.INSUFFICIENT_SPACE,
                        "ran out of space building the seed in " + DataRoot.quoted(target.directory()),
                        e);
            }
            throw new EngineException(
                    Problem.IO_ERROR, "cannot build the seed in " + DataRoot.quoted(target.directory()) + ": " + e, e);
        }
    }
}

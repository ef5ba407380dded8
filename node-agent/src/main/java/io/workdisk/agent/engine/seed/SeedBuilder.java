package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Ext4FormatException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.StagedOutput;
import io.workdisk.agent.engine.inspect.DiskInspector;
import io.workdisk.agent.engine.output.Target;
import io.workdisk.agent.engine.resize.ResizeRecovery;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Builds a seed from a rootfs image: the subtree is read in user space into one tar streamed into
 * {@code mkfs.ext4 -d -} as it reads (e2fsprogs 1.47.1 and later; a first pass over the metadata only sizes
 * the seed) or into a staging tree beside the output for {@code mkfs.ext4 -d DIR}; one debugfs
 * batch restores what mkfs drops, and the result is read back and checked before it is published. Three
 * processes however large the tree.
 */
public final class SeedBuilder {
    private final E2fsTools tools;
    private final LongSupplier nanoTime;
    private final ResizeRecovery recovery;
    private final SeedMethod method;
    private final Clock clock;

    /** {@code clock} dates the root of a seed whose subtree the rootfs lacks. */
    public SeedBuilder(
            E2fsTools tools, LongSupplier nanoTime, ResizeRecovery recovery, SeedMethod method, Clock clock) {
        this.tools = tools;
        this.nanoTime = nanoTime;
        this.recovery = recovery;
        this.method = method;
        this.clock = clock;
    }

    private SeedMethod chooseMethod(Path scratch) throws EngineException {
        if (method != SeedMethod.AUTO) {
            return method;
        }
        return tools.readsTar(scratch) ? SeedMethod.TAR : SeedMethod.STAGING_TREE;
    }

    public SeedReport build(ConfinedRoot root, SeedRequest req) throws EngineException {
        Phases phases = new Phases(nanoTime);
        String subtree = normalizeSubtree(req.subtree());
        tools.require("mkfs.ext4", "debugfs", "e2fsck");
        Path output = req.target() != null
                ? req.target()
                : SeedNames.defaultSeedPath(req.rootfs().toAbsolutePath());
        Target target = Target.prepare(root, output, req.requester(), req.force(), recovery);
        try (Ext4Image rootfs = openRootfs(req.rootfs());
                StagedOutput out = StagedOutput.begin(target.path())) {
            SeedMethod how = chooseMethod(out.stage());
            SeedMaker maker = new SeedMaker(tools);
            Optional<Inode> top = subtreeRoot(rootfs, subtree);
            SeedMaker.Made made;
            if (top.isEmpty()) {
                // No subtree: no tar and no tree, an empty seed whose root the fix-ups then set.
                Extraction empty =
                        SubtreeWalker.empty("the rootfs has no " + subtree + "; the seed is empty", clock.instant());
                phases.done("extract");
                made = maker.make(out, null, empty, target, req.requester(), phases);
            } else if (how == SeedMethod.TAR) {
                // The walk's first pass reads metadata only, to size the seed; the second streams the tar.
                Extraction planned = SubtreeWalker.walk(rootfs, top.get(), new TarPlanSink(rootfs), req.ownership());
                phases.done("plan");
                made = maker.makeStreaming(
                        out,
                        stdin -> {
                            TarSink sink = TarSink.streaming(
                                    rootfs, PaxTarWriter.streaming(Channels.newChannel(stdin)), out.stage());
                            Extraction written = SubtreeWalker.walk(rootfs, top.get(), sink, req.ownership());
                            return new SeedMaker.Streamed(written, sink.asideCommands());
                        },
                        planned,
                        target,
                        req.requester(),
                        phases);
            } else {
                Extraction extraction;
                try (SeedSink sink = new StagingTreeSink(rootfs, out.stage())) {
                    extraction = SubtreeWalker.walk(rootfs, top.get(), sink, req.ownership());
                }
                phases.done("extract");
                made = maker.make(out, out.stage(), extraction, target, req.requester(), phases);
            }
            return SeedMaker.report(target, req.rootfs().toString(), subtree, made.extraction(), made, phases, how);
        } catch (Ext4FormatException e) {
            throw DiskInspector.imageError(req.rootfs(), "rootfs", e);
        } catch (IOException e) {
            throw SeedMaker.failure(target, e);
        }
    }

    private Ext4Image openRootfs(Path rootfs) throws EngineException {
        try {
            if (Files.isDirectory(rootfs)) {
                throw new EngineException(
                        Problem.SOURCE_UNREADABLE,
                        "rootfs " + ConfinedRoot.quoted(rootfs) + " is a directory, not an image");
            }
            Ext4Image image = Ext4Image.open(rootfs);
            if (image.superblock().needsRecovery()) {
                image.close();
                throw new EngineException(
                        Problem.FILESYSTEM_NOT_CLEAN,
                        "rootfs " + ConfinedRoot.quoted(rootfs)
                                + " has an unreplayed journal (it was not unmounted cleanly); run e2fsck -f on it first");
            }
            return image;
        } catch (IOException e) {
            throw DiskInspector.imageError(rootfs, "rootfs", e);
        }
    }

    /** The subtree's directory in the rootfs, or none when the rootfs lacks it. */
    private static Optional<Inode> subtreeRoot(Ext4Image rootfs, String subtree) throws IOException, EngineException {
        Optional<Inode> top = rootfs.lookup(subtree);
        if (top.isPresent() && !top.get().isDirectory()) {
            throw new EngineException(
                    Problem.INVALID_PATH,
                    "subtree " + subtree + " in the rootfs is "
                            + (top.get().isSymlink() ? "a symlink" : "not a directory") + "; it must be a directory");
        }
        return top;
    }

    /** The subtree as an absolute path inside the source: /root when none is given. */
    public static String normalizeSubtree(String subtree) throws EngineException {
        String s = subtree == null || subtree.isBlank() ? "/root" : subtree.strip();
        if (!s.startsWith("/")) {
            throw new EngineException(
                    Problem.INVALID_PATH, "subtree '" + s + "' must be an absolute path inside the rootfs");
        }
        for (String part : s.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new EngineException(Problem.INVALID_PATH, "subtree '" + s + "' must not contain '.' or '..'");
            }
        }
        return s;
    }
}

package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.Ownership;
import io.workdisk.agent.engine.files.SpaceCheck;
import io.workdisk.agent.engine.files.StagedOutput;
import io.workdisk.agent.engine.output.Target;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Sizes;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.engine.tools.Mkfs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The part of building a seed that is the same whatever the source: from a staged tree or a tar file and
 * what each entry must be, one mkfs.ext4 -d, one debugfs batch of fix-ups, e2fsck -fn, then the atomic
 * publish.
 */
public final class SeedMaker {
    private final E2fsTools tools;

    public SeedMaker(E2fsTools tools) {
        this.tools = tools;
    }

    /**
     * What was made: the filesystem's size, how many fix-ups it needed, its UUID, and what went into it
     * (for a streamed tar, known only once the tar was written).
     */
    public record Made(long sizeBytes, int fixups, String filesystemUUID, Extraction extraction) {}

    /**
     * Writes the tar that mke2fs reads on its standard input, and says what went into it: its entries are
     * what the fix-ups and the check hold the seed to.
     */
    @FunctionalInterface
    public interface TarFeeder {
        Streamed feed(OutputStream stdin) throws IOException, EngineException;
    }

    /**
     * What a streamed tar held, and the debugfs commands that add what was kept out of it (files that are
     * mostly holes), run after mkfs and before the fix-ups.
     */
    public record Streamed(Extraction extraction, List<String> debugfsAdditions) {
        /** A tar that held everything. */
        public static Streamed whole(Extraction extraction) {
            return new Streamed(extraction, List.of());
        }
    }

    /**
     * The report of a seed made from {@code source}'s {@code subtree}: what went in ({@code extraction}),
     * what came out ({@code made}), where the time went and how the tree reached mkfs.
     */
    public static SeedReport report(
            Target target,
            String source,
            String subtree,
            Extraction extraction,
            Made made,
            Phases phases,
            SeedMethod method) {
        return new SeedReport(
                target.path().toString(),
                source,
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
                method.label());
    }

    /** An I/O failure while building a seed into {@code target}'s directory: a full disk is named as such. */
    public static EngineException failure(Target target, IOException e) {
        if (String.valueOf(e.getMessage()).contains("No space left")) {
            return new EngineException(
                    Problem.INSUFFICIENT_SPACE,
                    "ran out of space building the seed in " + ConfinedRoot.quoted(target.directory()),
                    e);
        }
        return new EngineException(
                Problem.IO_ERROR,
                "cannot build the seed in " + ConfinedRoot.quoted(target.directory()) + ": " + ErrorText.of(e),
                e);
    }

    /**
     * {@code input} is a staging tree ({@code mke2fs -d DIR}) or null for an empty seed, whose root the fix-ups
     * then set; a tar goes through {@link #makeStreaming}.
     */
    public Made make(
            StagedOutput out, Path input, Extraction extraction, Target target, String requester, Phases phases)
            throws IOException, EngineException {
        return make(
                out,
                image -> {
                    mkfs(image, input);
                    return Streamed.whole(extraction);
                },
                extraction,
                target,
                requester,
                phases);
    }

    /**
     * The same from a tar that {@code tar} writes while mke2fs reads it ({@code mke2fs -d -}): no file of
     * it is ever whole on disk, and writing and populating overlap. The seed is sized from {@code planned}
     * (mke2fs fixes the size when it formats, before it reads), and held to what {@code tar} says it wrote.
     */
    public Made makeStreaming(
            StagedOutput out, TarFeeder tar, Extraction planned, Target target, String requester, Phases phases)
            throws IOException, EngineException {
        return make(
                out,
                image -> {
                    Streamed[] written = new Streamed[1];
                    try {
                        tools.runFeeding(
                                "mkfs.ext4",
                                Mkfs.seedFromStandardInput(image, SeedSize.BYTES_PER_INODE),
                                stdin -> written[0] = tar.feed(stdin));
                    } catch (EngineException e) {
                        throw libarchiveNamed(e);
                    }
                    return written[0];
                },
                planned,
                target,
                requester,
                phases);
    }

    /** Runs mkfs on the sized image and says what went into it. */
    private interface MkfsStep {
        Streamed run(Path image) throws IOException, EngineException;
    }

    private Made make(
            StagedOutput out, MkfsStep mkfs, Extraction planned, Target target, String requester, Phases phases)
            throws IOException, EngineException {
        long size = sizeFor(planned);
        // The staged tree is already on disk; the seed needs about as much again plus its metadata.
        SpaceCheck.requireFree(
                target.directory(),
                planned.payloadBytes() + planned.metadataBytes() + (64L << 20),
                "a seed with " + Sizes.human(planned.payloadBytes()) + " of files");
        try (RandomAccessFile f = new RandomAccessFile(out.image().toFile(), "rw")) {
            f.setLength(size);
        }
        Streamed made = mkfs.run(out.image());
        Extraction extraction = made.extraction();
        phases.done("mkfs");
        if (!made.debugfsAdditions().isEmpty()) {
            Path script = out.stage().resolve("additions.debugfs");
            Files.write(script, made.debugfsAdditions());
            tools.run(
                    "debugfs",
                    List.of("-w", "-f", script.toString(), out.image().toString()));
            phases.done("additions");
        }
        if (sizeFor(extraction) != size) {
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE,
                    "the source changed while the seed was built from it: it was planned at " + Sizes.human(size)
                            + " but holds " + Sizes.human(extraction.payloadBytes()) + " of files");
        }
        int fixups = applyFixups(out, extraction);
        phases.done("fixups");
        tools.run("e2fsck", List.of("-f", "-n", out.image().toString()));
        phases.done("check");
        Ownership.mark(out.image(), requester);
        out.publish(target.path(), target.replacesExisting());
        phases.done("publish");
        return new Made(
                size, fixups, Ext4Image.readSuperblock(target.path()).uuid().toString(), extraction);
    }

    private static long sizeFor(Extraction extraction) {
        return SeedSize.forPayload(
                extraction.payloadBytes() + extraction.metadataBytes(),
                extraction.entries().size());
    }

    private void mkfs(Path image, Path input) throws EngineException {
        tools.run("mkfs.ext4", Mkfs.seed(image, input, SeedSize.BYTES_PER_INODE));
    }

    private static EngineException libarchiveNamed(EngineException e) {
        if (e.getMessage().contains("libarchive")) {
            return new EngineException(
                    Problem.TOOL_MISSING,
                    "mkfs.ext4 needs libarchive to read the seed's tar file; install libarchive13 (" + e.getMessage()
                            + ")",
                    e);
        }
        return e;
    }

    /** Applies the fix-ups, then checks from the image itself that nothing is left to fix. */
    private int applyFixups(StagedOutput out, Extraction extraction) throws IOException, EngineException {
        out.discardStage();
        Path scratch = out.stage();
        SeedFixups.Fixups fixups;
        try (Ext4Image seed = Ext4Image.open(out.image())) {
            fixups = SeedFixups.commands(seed, extraction.entries(), scratch);
        }
        if (fixups.isEmpty()) {
            return 0;
        }
        for (Map.Entry<Path, byte[]> value : fixups.values().entrySet()) {
            Files.write(value.getKey(), value.getValue());
        }
        Path script = scratch.resolve("fixups.debugfs");
        Files.write(script, fixups.commands());
        tools.run("debugfs", List.of("-w", "-f", script.toString(), out.image().toString()));
        out.discardStage();
        try (Ext4Image seed = Ext4Image.open(out.image())) {
            List<String> left =
                    SeedFixups.commands(seed, extraction.entries(), scratch).commands();
            if (!left.isEmpty()) {
                throw new EngineException(
                        Problem.TOOL_FAILED,
                        "debugfs did not apply " + left.size() + " attribute fix-ups to the seed, first: "
                                + left.get(0));
            }
        }
        return fixups.commands().size();
    }
}

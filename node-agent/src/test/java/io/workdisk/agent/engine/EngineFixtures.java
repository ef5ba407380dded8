package io.workdisk.agent.engine;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedRequest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.TreeFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A rootfs built from the fixture tree, a data root, and an engine on the real e2fsprogs. */
final class EngineFixtures {
    final Path tmp;
    final Path sourceRoot;
    final Path data;
    final ConfinedRoot dataRoot;
    final DiskEngine engine = DiskEngine.standard();

    EngineFixtures(Path tmp) throws IOException, EngineException {
        this.tmp = tmp;
        Path source = Files.createDirectories(tmp.resolve("rootfs-tree"));
        Files.createDirectories(source.resolve("etc"));
        Files.writeString(source.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        this.sourceRoot = source.resolve("root");
        TreeFixture.create(sourceRoot);
        this.data = Files.createDirectories(tmp.resolve("data"));
        this.dataRoot = ConfinedRoot.of(data);
    }

    /** An engine that builds seeds only {@code method}'s way, whatever e2fsprogs is installed. */
    static DiskEngine engine(SeedMethod method) {
        return new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime, method);
    }

    Path rootfs(Rootfs.Layout layout) {
        return Rootfs.make(
                sourceRoot.getParent(), data.resolve("rootfs-" + layout.name().toLowerCase() + ".ext4"), 256, layout);
    }

    Path seed() throws EngineException {
        Path rootfs = rootfs(Rootfs.Layout.EXT4_DEFAULT);
        return Path.of(engine.buildSeed(dataRoot, new SeedRequest(rootfs, "/root", null, "test", false))
                .result()
                .path());
    }

    /** Names in the data directory, to prove a failed step left nothing behind. */
    List<String> dataListing() throws IOException {
        try (Stream<Path> s = Files.list(data)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

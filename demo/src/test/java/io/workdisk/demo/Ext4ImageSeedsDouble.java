package io.workdisk.demo;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.seed.SeedRequest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Timed;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.api.task.ImageReference;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.SeedOwnership;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * TEST DOUBLE of the container-image path, for testing the operator's and agents' plumbing without a
 * registry: a "registry" is a map from tags to made-up digests and from digests to ext4 rootfs files, and
 * a "build" is the engine's ordinary build from that rootfs. It pulls nothing and applies no layers. It
 * records every resolution and build it is asked for, shared by the agents of all nodes, and holds each
 * build until {@link #release()} (after reporting some progress), so a test can watch a build under way.
 */
final class Ext4ImageSeedsDouble {
    /** What was asked: the node, and the reference resolved or built. */
    record Asked(String node, String reference) {}

    private final Map<String, String> tags = new ConcurrentHashMap<>();
    private final Map<String, Path> rootfsByDigest = new ConcurrentHashMap<>();
    final List<Asked> resolved = new CopyOnWriteArrayList<>();
    final List<Asked> built = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(1);

    /** {@code reference} (a tag) now names {@code digest}, whose content is the ext4 rootfs at {@code rootfs}. */
    void tag(String reference, String digest, Path rootfs) {
        rootfsByDigest.put(digest, rootfs);
        tags.put(reference, digest);
    }

    /** Lets every build held so far, and every later one, go on. */
    void release() {
        gate.countDown();
    }

    /** The image source of the agent on {@code node}. */
    ImageSeeds on(String node) {
        return new ImageSeeds() {
            @Override
            public String resolve(ImageSource image) throws EngineException {
                resolved.add(new Asked(node, image.reference()));
                String digest = tags.get(image.reference());
                if (digest == null) {
                    throw new EngineException(Problem.SOURCE_UNAVAILABLE, image.reference() + ": no such tag");
                }
                return digest;
            }

            @Override
            public Built build(ConfinedRoot root, Request request, Progress progress) throws EngineException {
                built.add(new Asked(node, request.image().reference()));
                if (request.ownership() != SeedOwnership.Root) {
                    throw new EngineException(Problem.INVALID_TASK, "the test double keeps no owners");
                }
                String digest =
                        ImageReference.parse(request.image().reference()).digest();
                Path rootfs = rootfsByDigest.get(digest);
                long size = size(rootfs);
                progress.report(size / 2, size, 3);
                try {
                    if (!gate.await(60, TimeUnit.SECONDS)) {
                        throw new EngineException(Problem.TOOL_TIMEOUT, "the test never released the build");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineException(Problem.TOOL_TIMEOUT, "interrupted");
                }
                Timed<SeedReport> seed = DiskEngine.standard()
                        .buildSeed(
                                root,
                                new SeedRequest(
                                        rootfs, request.subtree(), request.target(), request.requester(), true));
                return new Built(digest, seed.result(), seed.seconds());
            }
        };
    }

    private static long size(Path file) throws EngineException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new EngineException(Problem.SOURCE_UNREADABLE, e.getMessage());
        }
    }
}

package io.workdisk.agent.source;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.SeedOwnership;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What the agent's task plumbing needs of container images, and all it knows of them: the digest a
 * reference names now, and a seed built from an image (named by digest) or an image archive. The registry
 * client ({@code source.image}) and layer application ({@code engine.image}) live behind it
 * ({@link RegistryImageSeeds}); {@link #fromRegistries} is the one place that chooses it.
 */
public interface ImageSeeds {
    /** The digest ({@code sha256:...}) {@code image}'s reference names now in its registry. */
    String resolve(ImageSource image) throws EngineException;

    /** A seed published at {@code request.target()}, reporting how far it has come to {@code progress}. */
    Built build(ConfinedRoot root, Request request, Progress progress) throws EngineException;

    /**
     * One seed to build: from {@code image} (its reference pinned by digest) or from the archive at
     * {@code archive} (already confined to the agent's image directories), exactly one of them.
     */
    record Request(
            ImageSource image, Path archive, String subtree, SeedOwnership ownership, Path target, String requester) {
        public static Request fromImage(
                ImageSource image, String subtree, SeedOwnership ownership, Path target, String requester) {
            return new Request(image, null, subtree, ownership, target, requester);
        }

        public static Request fromArchive(
                Path archive, String subtree, SeedOwnership ownership, Path target, String requester) {
            return new Request(null, archive, subtree, ownership, target, requester);
        }
    }

    /** The seed made, the digest of the image manifest it was made from, and the wall time of the whole build. */
    record Built(String imageDigest, SeedReport seed, double seconds) {}

    /** How far a build has come; called as often as the implementation likes, from any thread. */
    @FunctionalInterface
    interface Progress {
        Progress NONE = (fetched, total, entries) -> {};

        void report(long bytesFetched, long bytesTotal, long entriesWritten);
    }

    /** What the agent was given to reach registries with: a docker config.json and a CA bundle, each optional. */
    record RegistryAccess(Path configFile, Path caFile) {
        public static RegistryAccess none() {
            return new RegistryAccess(null, null);
        }
    }

    /** The layer cache's bound when none is given: room for a few root filesystems' layers. */
    long DEFAULT_CACHE_BYTES = 20L << 30;

    /** Makes an agent's image source once its disk engine and data root exist. */
    @FunctionalInterface
    interface Maker {
        ImageSeeds make(DiskEngine engine, Path layerCache) throws EngineException;
    }

    /** Registries reached with {@code access}; layers kept under the data root, at most {@code cacheBytes}. */
    static Maker fromRegistries(RegistryAccess access, long cacheBytes, Clock clock) {
        return (engine, layerCache) -> RegistryImageSeeds.open(engine, layerCache, cacheBytes, access, clock);
    }

    /** Always {@code seeds}, whatever the engine and data root (for tests that stand in for registries). */
    static Maker fixed(ImageSeeds seeds) {
        return (engine, layerCache) -> seeds;
    }
}

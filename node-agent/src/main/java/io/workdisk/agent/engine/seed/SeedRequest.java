package io.workdisk.agent.engine.seed;

import java.nio.file.Path;

/** A seed from a rootfs (a directory, or a tar file) on this node: which part of it, whose files, where to. */
public record SeedRequest(
        Path rootfs, String subtree, SeedOwnership ownership, Path target, String requester, boolean force) {
    /** A seed under the ROOT rule, today's default. */
    public SeedRequest(Path rootfs, String subtree, Path target, String requester, boolean force) {
        this(rootfs, subtree, SeedOwnership.ROOT, target, requester, force);
    }
}

package io.workdisk.agent.csi;

import io.workdisk.csi.VolumeId;
import java.nio.file.Path;

/**
 * The one question the node service asks about Kubernetes: is this volume a disk that is Ready on this node,
 * and where is its image. The node service itself knows nothing of the API (as TopoLVM's lvmd does not);
 * the agent answers from the WorkDisk, tests from the disks they made.
 */
public interface NodeDisks {
    DiskLookup find(VolumeId id);

    /** The answer: a disk to publish, or why not. */
    sealed interface DiskLookup {
        /** Ready on this node; its image file (never taken from the status: found from the disk's UID). */
        record Usable(Path image) implements DiskLookup {}

        /** No such disk here, with why: unknown, another node's, not a disk (NOT_FOUND). */
        record Missing(String reason) implements DiskLookup {}

        /** A disk of this node that must not be published now: being made, deleted or resized (the reason says). */
        record Busy(String reason) implements DiskLookup {}

        static DiskLookup usable(Path image) {
            return new Usable(image);
        }

        static DiskLookup missing(String reason) {
            return new Missing(reason);
        }

        static DiskLookup busy(String reason) {
            return new Busy(reason);
        }
    }
}

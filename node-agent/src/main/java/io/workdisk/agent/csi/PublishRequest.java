package io.workdisk.agent.csi;

import io.workdisk.csi.Presentation;
import java.util.List;
import java.util.OptionalInt;

/**
 * A NodePublishVolume request once its capability has been read: which presentation, read-only or not, the
 * mount flags (already checked against the ones allowed), the group a non-root user reads the disk as, and
 * the pod it is for.
 */
record PublishRequest(
        String volumeId,
        String targetPath,
        Presentation presentation,
        boolean readOnly,
        List<String> mountFlags,
        OptionalInt mountGroup,
        Publication.PodRef pod) {

    static PublishRequest of(
            String volumeId,
            String targetPath,
            Presentation presentation,
            boolean readOnly,
            List<String> mountFlags,
            OptionalInt mountGroup,
            Publication.PodRef pod) {
        return new PublishRequest(
                volumeId, targetPath, presentation, readOnly, List.copyOf(mountFlags), mountGroup, pod);
    }
}

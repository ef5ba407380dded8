package io.workdisk.agent.csi;

import io.workdisk.csi.Presentation;
import java.time.Instant;

/**
 * One volume published at one target, as the node records it: written before anything is mounted (so a crash
 * between the two leaves a record that unpublish cleans up, never a mount nobody knows of) and removed after
 * the target is gone. {@code publishedAt} is an ISO-8601 instant.
 */
public record Publication(
        String volumeId,
        String targetPath,
        Presentation presentation,
        boolean readOnly,
        String imagePath,
        PodRef pod,
        String publishedAt) {

    /** The pod the volume was published for, from kubelet's pod info on mount; empty fields when not sent. */
    public record PodRef(String namespace, String name, String uid) {
        public static PodRef unknown() {
            return new PodRef("", "", "");
        }
    }

    public static Publication of(
            String volumeId,
            String targetPath,
            Presentation presentation,
            boolean readOnly,
            String imagePath,
            PodRef pod,
            Instant publishedAt) {
        return new Publication(volumeId, targetPath, presentation, readOnly, imagePath, pod, publishedAt.toString());
    }

    /** Whether a second publish request asks for this same publication (the spec's idempotent repeat). */
    boolean sameAs(String otherVolume, Presentation otherPresentation, boolean otherReadOnly) {
        return volumeId.equals(otherVolume) && presentation == otherPresentation && readOnly == otherReadOnly;
    }
}

package io.workdisk.api.node;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One disk published by a node's CSI service at one kubelet target, as the node's agent recorded it. The agent
 * writes it into its WorkNode; the operator copies a disk's own into the WorkDisk's status and, while there is
 * one, neither resizes nor deletes the disk.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VolumePublication(
        @JsonPropertyDescription("The CSI volume id: <namespace>/<name>/<uid> of the WorkDisk.")
        String volumeId,

        @JsonPropertyDescription("The WorkDisk's UID (the last part of the volume id).")
        String diskUid,

        @JsonPropertyDescription("Where kubelet asked for it: the target path on the node.")
        String targetPath,

        @JsonPropertyDescription("How it is presented: block, diskImage or mounted.")
        String presentation,

        @JsonPropertyDescription("Whether it was published read-only.")
        Boolean readOnly,

        @JsonPropertyDescription("Namespace of the pod it was published for, when kubelet said (podInfoOnMount).")
        String podNamespace,

        @JsonPropertyDescription("Name of that pod.") String podName,
        @JsonPropertyDescription("UID of that pod.") String podUid,

        @JsonPropertyDescription("When it was published, RFC 3339 UTC.")
        String publishedAt) {

    public static VolumePublication of(
            String volumeId,
            String diskUid,
            String targetPath,
            String presentation,
            boolean readOnly,
            String podNamespace,
            String podName,
            String podUid,
            String publishedAt) {
        return new VolumePublication(
                volumeId,
                diskUid,
                targetPath,
                presentation,
                readOnly,
                blankAsNull(podNamespace),
                blankAsNull(podName),
                blankAsNull(podUid),
                publishedAt);
    }

    /** Who uses it, for a message: {@code pod ns/name}, or the target when kubelet did not say which pod. */
    @JsonIgnore
    public String user() {
        return podName != null ? "pod " + podNamespace + "/" + podName : "target " + targetPath;
    }

    private static String blankAsNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

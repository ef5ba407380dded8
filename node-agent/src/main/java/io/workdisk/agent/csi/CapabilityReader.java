package io.workdisk.agent.csi;

import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.Presentation;
import io.workdisk.csi.protocol.NodePublishVolumeRequest;
import io.workdisk.csi.protocol.VolumeCapability;
import io.workdisk.csi.protocol.VolumeCapability.AccessMode.Mode;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads a NodePublishVolume request into a {@link PublishRequest}: the presentation from the access type and
 * the {@code presentation} volume attribute, the access mode (one node, one writer), and the mount flags,
 * of which only a known-harmless few are passed to mount: they come from a StorageClass or PV, and the
 * service runs as root.
 */
final class CapabilityReader {
    static final Set<Mode> MODES =
            Set.of(Mode.SINGLE_NODE_WRITER, Mode.SINGLE_NODE_READER_ONLY, Mode.SINGLE_NODE_SINGLE_WRITER);
    static final Set<String> MOUNT_FLAGS = Set.of(
            "noatime",
            "nodiratime",
            "relatime",
            "strictatime",
            "lazytime",
            "nosuid",
            "noexec",
            "sync",
            "dirsync",
            "discard",
            "nodiscard",
            "ro");
    private static final String POD_NAME = "csi.storage.k8s.io/pod.name";
    private static final String POD_NAMESPACE = "csi.storage.k8s.io/pod.namespace";
    private static final String POD_UID = "csi.storage.k8s.io/pod.uid";

    private CapabilityReader() {}

    static PublishRequest read(NodePublishVolumeRequest request) throws Refused {
        if (request.getVolumeId().isEmpty()) {
            throw Refused.invalid("volume_id is required");
        }
        if (request.getTargetPath().isEmpty()) {
            throw Refused.invalid("target_path is required");
        }
        if (!request.hasVolumeCapability()) {
            throw Refused.invalid("volume_capability is required");
        }
        VolumeCapability capability = request.getVolumeCapability();
        Mode mode = capability.getAccessMode().getMode();
        if (!MODES.contains(mode)) {
            throw Refused.invalid("access mode " + mode + " is not offered: a workdisk.io disk is used on one node"
                    + " by one writer");
        }
        boolean readOnly = request.getReadonly() || mode == Mode.SINGLE_NODE_READER_ONLY;
        var pod = new Publication.PodRef(
                request.getVolumeContextOrDefault(POD_NAMESPACE, ""),
                request.getVolumeContextOrDefault(POD_NAME, ""),
                request.getVolumeContextOrDefault(POD_UID, ""));
        switch (capability.getAccessTypeCase()) {
            case BLOCK:
                return PublishRequest.of(
                        request.getVolumeId(),
                        request.getTargetPath(),
                        Presentation.BLOCK,
                        readOnly,
                        List.of(),
                        OptionalInt.empty(),
                        pod);
            case MOUNT:
                VolumeCapability.MountVolume mount = capability.getMount();
                if (!mount.getFsType().isEmpty() && !mount.getFsType().equals("ext4")) {
                    throw Refused.invalid(
                            "fs_type " + mount.getFsType() + " is not offered: workdisk.io disks are ext4");
                }
                String asked = request.getVolumeContextOrDefault(CsiDriver.PRESENTATION, "");
                Presentation presentation = Presentation.ofFilesystemParameter(asked)
                        .orElseThrow(() -> Refused.invalid("presentation " + asked + " is not one of "
                                + Presentation.DISK_IMAGE.parameter() + ", " + Presentation.MOUNTED.parameter()));
                for (String flag : mount.getMountFlagsList()) {
                    if (!MOUNT_FLAGS.contains(flag)) {
                        throw Refused.invalid("mount flag " + flag + " is not allowed; allowed: "
                                + String.join(
                                        ", ", MOUNT_FLAGS.stream().sorted().toList()));
                    }
                }
                return PublishRequest.of(
                        request.getVolumeId(),
                        request.getTargetPath(),
                        presentation,
                        readOnly || mount.getMountFlagsList().contains("ro"),
                        mount.getMountFlagsList().stream()
                                .filter(f -> !f.equals("ro"))
                                .toList(),
                        group(mount.getVolumeMountGroup()),
                        pod);
            default:
                throw Refused.invalid("volume_capability names neither block nor mount access");
        }
    }

    private static OptionalInt group(String text) throws Refused {
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            int gid = Integer.parseInt(text);
            if (gid < 0) {
                throw new NumberFormatException();
            }
            return OptionalInt.of(gid);
        } catch (NumberFormatException e) {
            throw Refused.invalid("volume_mount_group " + text + " is not a group id");
        }
    }
}

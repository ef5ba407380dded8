package io.workdisk.operator.csi;

import io.grpc.Status;
import io.workdisk.api.DiskLimits;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.Presentation;
import io.workdisk.csi.protocol.CreateVolumeRequest;
import io.workdisk.csi.protocol.Topology;
import io.workdisk.csi.protocol.VolumeCapability;
import io.workdisk.csi.protocol.VolumeCapability.AccessMode.Mode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A CreateVolume request read and checked: the WorkDisk it asks for (namespace, name, size, seed,
 * preallocation, node) and the presentation its pods get. Bad requests are refused here, with the
 * specification's code, before anything is written.
 */
record VolumeRequest(
        String namespace,
        String name,
        long sizeBytes,
        String seedRef,
        boolean preallocate,
        String nodeName,
        String presentation,
        String pvcName) {

    static final String PVC_NAMESPACE = "csi.storage.k8s.io/pvc/namespace";
    static final String PVC_NAME = "csi.storage.k8s.io/pvc/name";
    static final String SEED_REF = "seedRef";
    static final String PREALLOCATE = "preallocate";
    private static final Set<Mode> MODES =
            Set.of(Mode.SINGLE_NODE_WRITER, Mode.SINGLE_NODE_READER_ONLY, Mode.SINGLE_NODE_SINGLE_WRITER);
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Set<String> KNOWN = Set.of(
            PVC_NAMESPACE, PVC_NAME, "csi.storage.k8s.io/pv/name", SEED_REF, PREALLOCATE, CsiDriver.PRESENTATION);

    static VolumeRequest read(CreateVolumeRequest request) throws ControllerRefusal {
        if (request.getName().isEmpty()) {
            throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "name is required");
        }
        String name = request.getName().toLowerCase(Locale.ROOT);
        if (!SUBDOMAIN.matcher(name).matches()) {
            throw ControllerRefusal.of(
                    Status.Code.INVALID_ARGUMENT, "name " + request.getName() + " cannot name a WorkDisk");
        }
        checkCapabilities(request.getVolumeCapabilitiesList());
        var parameters = request.getParametersMap();
        for (String key : parameters.keySet()) {
            if (!KNOWN.contains(key)) {
                throw ControllerRefusal.of(
                        Status.Code.INVALID_ARGUMENT,
                        "parameter " + key + " is not known; known: "
                                + String.join(", ", KNOWN.stream().sorted().toList()));
            }
        }
        String namespace = parameters.getOrDefault(PVC_NAMESPACE, "");
        if (namespace.isEmpty()) {
            throw ControllerRefusal.of(
                    Status.Code.INVALID_ARGUMENT,
                    "parameter " + PVC_NAMESPACE + " is required (csi-provisioner --extra-create-metadata)");
        }
        String presentation = parameters.getOrDefault(CsiDriver.PRESENTATION, "");
        if (Presentation.ofFilesystemParameter(presentation).isEmpty()) {
            throw ControllerRefusal.of(
                    Status.Code.INVALID_ARGUMENT, "presentation " + presentation + " is not one of diskImage, mounted");
        }
        String preallocate = parameters.getOrDefault(PREALLOCATE, "false");
        if (!preallocate.equals("true") && !preallocate.equals("false")) {
            throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "preallocate must be true or false");
        }
        if (request.hasVolumeContentSource()) {
            throw ControllerRefusal.of(
                    Status.Code.INVALID_ARGUMENT, "volumes from snapshots or other volumes are not offered");
        }
        return new VolumeRequest(
                namespace,
                name,
                size(request),
                emptyToNull(parameters.get(SEED_REF)),
                preallocate.equals("true"),
                node(request).orElse(null),
                presentation,
                parameters.getOrDefault(PVC_NAME, ""));
    }

    /** One node, one writer, ext4 or a block device: anything else is refused. */
    static void checkCapabilities(List<VolumeCapability> capabilities) throws ControllerRefusal {
        if (capabilities.isEmpty()) {
            throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "volume_capabilities is required");
        }
        for (VolumeCapability capability : capabilities) {
            String unsupported = unsupported(capability);
            if (unsupported != null) {
                throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, unsupported);
            }
        }
    }

    /** Why a capability is not offered, or null. */
    static String unsupported(VolumeCapability capability) {
        if (capability.getAccessTypeCase() == VolumeCapability.AccessTypeCase.ACCESSTYPE_NOT_SET) {
            return "a volume capability names neither block nor mount access";
        }
        if (!MODES.contains(capability.getAccessMode().getMode())) {
            return "access mode " + capability.getAccessMode().getMode()
                    + " is not offered: a workdisk.io disk is used on one node by one writer";
        }
        String fsType = capability.hasMount() ? capability.getMount().getFsType() : "";
        if (!fsType.isEmpty() && !fsType.equals("ext4")) {
            return "fs_type " + fsType + " is not offered: workdisk.io disks are ext4";
        }
        return null;
    }

    /** At least what is required, at most the limit; nothing asked: the smallest disk. */
    private static long size(CreateVolumeRequest request) throws ControllerRefusal {
        long required = request.getCapacityRange().getRequiredBytes();
        long limit = request.getCapacityRange().getLimitBytes();
        if (required < 0 || limit < 0) {
            throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "capacity_range must not be negative");
        }
        long size = Math.max(required, DiskLimits.MIN_BYTES);
        size = (size + (1 << 20) - 1) & ~((1L << 20) - 1); // whole MiB
        if (limit > 0 && size > limit) {
            throw ControllerRefusal.of(
                    Status.Code.OUT_OF_RANGE,
                    "a disk is at least " + DiskLimits.MIN_QUANTITY + " (in whole MiB); the limit asked is " + limit
                            + " bytes");
        }
        if (size > DiskLimits.LIMIT_BYTES) {
            throw ControllerRefusal.of(
                    Status.Code.OUT_OF_RANGE,
                    "a disk is at most " + DiskLimits.LIMIT_QUANTITY + "; asked " + size + " bytes");
        }
        return size;
    }

    /** The node the accessibility requirements name: the first preferred, else the first requisite. */
    private static Optional<String> node(CreateVolumeRequest request) {
        if (!request.hasAccessibilityRequirements()) {
            return Optional.empty();
        }
        var requirements = request.getAccessibilityRequirements();
        return Stream.concat(requirements.getPreferredList().stream(), requirements.getRequisiteList().stream())
                .map(Topology::getSegmentsMap)
                .map(s -> s.get(CsiDriver.TOPOLOGY_KEY))
                .filter(n -> n != null && !n.isEmpty())
                .findFirst();
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}

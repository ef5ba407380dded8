package io.workdisk.api.workdisk;

/** Annotations the operator writes on WorkDisks and on the volume objects it makes for them. */
public final class DiskAnnotations {
    private DiskAnnotations() {}

    /**
     * On a WorkDisk the CSI driver made for a PVC (CreateVolume): the CSI volume name it was made for. Such a
     * disk already has the provisioner's PV and the user's PVC, so the operator makes none for it.
     */
    public static final String CSI_VOLUME_NAME = "workdisk.io/csi-volume-name";

    /** On such a WorkDisk: the PVC it serves. */
    public static final String PVC = "workdisk.io/pvc";
}

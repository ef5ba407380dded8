package io.workdisk.api.workdisk;

/** Whether the operator makes a PersistentVolume and a PersistentVolumeClaim for a WorkDisk applied by a user. */
public enum ClaimPolicy {
    /** A PV for the disk and a PVC of the disk's name bound to it, once the disk is Ready. */
    Create,
    /** No volume objects: the disk is used by its path, or the user makes its PV. */
    None
}

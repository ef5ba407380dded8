package io.workdisk.api.workdisk;

/** The PersistentVolume's volumeMode, as Kubernetes spells it. */
public enum VolumeMode {
    /** A directory: the image as {@code disk.img} (KubeVirt), or its filesystem mounted. */
    Filesystem,
    /** The image as a block device on a loop device. */
    Block
}

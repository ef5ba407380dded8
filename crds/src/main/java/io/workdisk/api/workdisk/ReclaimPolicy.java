package io.workdisk.api.workdisk;

/** What happens to the image file when its WorkDisk is deleted. */
public enum ReclaimPolicy {
    Delete,
    Retain
}

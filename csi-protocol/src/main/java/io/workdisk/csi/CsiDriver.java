package io.workdisk.csi;

/** The facts of the workdisk.io CSI driver that its controller (in the operator) and node (in the agent) share. */
public final class CsiDriver {
    /** The driver's name, as the CSIDriver object, StorageClasses and PVs name it. */
    public static final String NAME = "workdisk.io";
    /** The one topology segment: a disk lives on one node and is usable only there. */
    public static final String TOPOLOGY_KEY = "topology.workdisk.io/node";
    /**
     * StorageClass parameter and volume context key choosing how a Filesystem volume is presented: {@link
     * Presentation#DISK_IMAGE} (the default) or {@link Presentation#MOUNTED}. A Block volume ignores it.
     */
    public static final String PRESENTATION = "presentation";

    private CsiDriver() {}
}

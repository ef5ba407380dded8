package io.workdisk.api;

/** The API group, its version, and the label and finalizer names every component agrees on. */
public final class ApiGroup {
    public static final String GROUP = "workdisk.io";
    public static final String VERSION = "v1alpha1";

    /** On a task: the node whose agent runs it. Plain key=value, so any API server can select on it. */
    public static final String NODE_LABEL = GROUP + "/node";
    /** On a task: the UID of the WorkDisk or WorkSeed it works for. */
    public static final String OWNER_UID_LABEL = GROUP + "/owner-uid";
    /** On a task: WorkDisk or WorkSeed. */
    public static final String OWNER_KIND_LABEL = GROUP + "/owner-kind";

    public static final String FINALIZER = GROUP + "/cleanup";
    public static final String CATEGORY = "workdisk";

    private ApiGroup() {}
}

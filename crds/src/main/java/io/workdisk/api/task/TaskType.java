package io.workdisk.api.task;

/** The engine step a task asks a node's agent to run. */
public enum TaskType {
    Format,
    BuildSeed,
    /** Which digest an image reference names now: asked of one node, whose credentials reach the registry. */
    ResolveImage,
    Materialize,
    Resize,
    Delete
}

package io.workdisk.api.task;

/** The engine step a task asks a node's agent to run. */
public enum TaskType {
    Format,
    BuildSeed,
    Materialize,
    Resize,
    Delete
}

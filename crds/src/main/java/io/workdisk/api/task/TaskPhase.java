package io.workdisk.api.task;

public enum TaskPhase {
    Pending,
    Running,
    Succeeded,
    Failed;

    public boolean finished() {
        return this == Succeeded || this == Failed;
    }
}

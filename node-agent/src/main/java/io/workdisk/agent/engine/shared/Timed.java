package io.workdisk.agent.engine.shared;

/** A step's result with its wall time inside the engine. */
public record Timed<T>(double seconds, T result) {}

package io.workdisk.agent.engine;

/** A failed engine step: a {@link Problem} and one human line that names what went wrong. */
public final class EngineException extends Exception {
    private final Problem problem;

    public EngineException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public EngineException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}

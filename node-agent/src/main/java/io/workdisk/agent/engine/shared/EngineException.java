package io.workdisk.agent.engine.shared;

import io.workdisk.api.UserMessages;

/** A failed engine step: a {@link Problem} and one human line that names what went wrong. */
public final class EngineException extends Exception {
    private final Problem problem;

    public EngineException(Problem problem, String message) {
        this(problem, message, null);
    }

    /**
     * The message is for a person: it never names a Java type ({@link UserMessages}); {@link ErrorText}
     * words a cause.
     */
    public EngineException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        assert !UserMessages.namesJavaType(message) : "a message for a person names a Java type: " + message;
    }

    public Problem problem() {
        return problem;
    }
}

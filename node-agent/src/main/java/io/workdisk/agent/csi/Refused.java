package io.workdisk.agent.csi;

import io.grpc.Status;

/**
 * A CSI request the node service turns down, with the specification's code and one line naming the cause;
 * thrown before anything on the host is touched.
 */
final class Refused extends Exception {
    private final Status.Code code;

    private Refused(Status.Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    static Refused invalid(String message) {
        return new Refused(Status.Code.INVALID_ARGUMENT, message);
    }

    static Refused notFound(String message) {
        return new Refused(Status.Code.NOT_FOUND, message);
    }

    static Refused precondition(String message) {
        return new Refused(Status.Code.FAILED_PRECONDITION, message);
    }

    static Refused alreadyExists(String message) {
        return new Refused(Status.Code.ALREADY_EXISTS, message);
    }

    static Refused pending(String message) {
        return new Refused(Status.Code.ABORTED, message);
    }

    static Refused internal(String message) {
        return new Refused(Status.Code.INTERNAL, message);
    }

    Status status() {
        return Status.fromCode(code).withDescription(getMessage());
    }
}

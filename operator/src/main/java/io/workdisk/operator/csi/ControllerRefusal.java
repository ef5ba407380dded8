package io.workdisk.operator.csi;

import io.grpc.Status;

/** A controller request turned down with the CSI specification's code and one line naming the cause. */
final class ControllerRefusal extends Exception {
    private final Status.Code code;

    private ControllerRefusal(Status.Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    static ControllerRefusal of(Status.Code code, String message) {
        return new ControllerRefusal(code, message);
    }

    Status status() {
        return Status.fromCode(code).withDescription(getMessage());
    }
}

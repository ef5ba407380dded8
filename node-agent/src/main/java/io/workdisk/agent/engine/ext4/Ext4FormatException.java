package io.workdisk.agent.engine.ext4;

import java.io.IOException;

/** The image is not ext4, or its metadata is inconsistent: the image is treated as hostile input. */
public class Ext4FormatException extends IOException {
    public Ext4FormatException(String message) {
        super(message);
    }
}

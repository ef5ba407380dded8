package io.workdisk.agent.engine.ext4;

/** A well-formed filesystem that uses a feature this reader cannot read exactly; the message names it. */
public final class UnsupportedFeatureException extends Ext4FormatException {
    public UnsupportedFeatureException(String feature, String why) {
        super("filesystem feature " + feature + " is not supported (" + why + ")");
    }
}

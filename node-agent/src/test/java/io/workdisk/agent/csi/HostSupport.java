package io.workdisk.agent.csi;

import java.io.IOException;
import java.nio.file.Path;

/** Whether this machine lets a test attach loop devices and mount (root, /dev/loop-control, a mount namespace that allows it). */
public final class HostSupport {
    private HostSupport() {}

    public static boolean canLoopMount(Path dir) {
        return whyNotOrNull(dir) == null;
    }

    public static String whyNot(Path dir) {
        String why = whyNotOrNull(dir);
        return why == null ? "" : "this machine refuses loop devices or mounts: " + why;
    }

    private static String whyNotOrNull(Path dir) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root";
        }
        try {
            HostCommands.standard().run("losetup", "--find");
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}

package io.workdisk.agent.csi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Loop devices for images, through losetup. One image has at most one loop device: a second publication,
 * or the same one after an agent restart, finds the device already attached (losetup's own list, which
 * outlives the agent) instead of attaching the file again, which would let two devices write one filesystem.
 */
final class LoopDevices {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HostCommands commands;

    LoopDevices(HostCommands commands) {
        this.commands = commands;
    }

    /** The loop device the image is attached to, if any. */
    Optional<String> attachedTo(Path image) throws IOException {
        String out = commands.run("losetup", "--list", "--json", "--output", "NAME,BACK-FILE");
        if (out.isBlank()) {
            return Optional.empty();
        }
        JsonNode devices = JSON.readTree(out).path("loopdevices");
        String wanted = image.toRealPath().toString();
        for (JsonNode device : devices) {
            String backing = device.path("back-file").asText("");
            if (backing.equals(wanted)) {
                return Optional.of(device.path("name").asText());
            }
        }
        return Optional.empty();
    }

    /** The image's loop device: the one already attached, or a new one. */
    String attach(Path image) throws IOException {
        Optional<String> existing = attachedTo(image);
        if (existing.isPresent()) {
            return existing.get();
        }
        return commands.run("losetup", "--find", "--show", image.toRealPath().toString())
                .strip();
    }

    /** Detaches the image's loop device, if it has one. */
    void detach(Path image) throws IOException {
        Optional<String> device = attachedTo(image);
        if (device.isPresent()) {
            commands.run("losetup", "--detach", device.get());
        }
    }
}

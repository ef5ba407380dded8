package io.workdisk.agent.csi;

import io.workdisk.csi.CsiSocketServer;
import io.workdisk.csi.IdentityService;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The driver's node half inside the agent: Identity and Node services on {@code --csi-socket}, publishing
 * this node's Ready disks under {@code --kubelet-dir}, recording what is published under the data root.
 */
public final class CsiNode implements AutoCloseable {
    private final CsiSocketServer server;

    private CsiNode(CsiSocketServer server) {
        this.server = server;
    }

    /** Where it listens and publishes, and the version it reports. */
    public record Settings(String nodeName, Path socket, Path kubeletDir, Path dataRoot, String version) {
        public static Settings of(String nodeName, Path socket, Path kubeletDir, Path dataRoot, String version) {
            return new Settings(nodeName, socket, kubeletDir, dataRoot, version);
        }
    }

    public static CsiNode start(Settings settings, NodeDisks disks, Clock clock) throws IOException {
        return start(settings, disks, clock, () -> {});
    }

    /** {@code published}: told whenever a publication is recorded or removed (the agent reports its node then). */
    public static CsiNode start(Settings settings, NodeDisks disks, Clock clock, Runnable published)
            throws IOException {
        HostCommands commands = HostCommands.standard();
        NodePublisher publisher = new NodePublisher(
                disks,
                TargetPaths.under(settings.kubeletDir()),
                Publications.under(settings.dataRoot(), published),
                new LoopDevices(commands),
                Mounts.of(commands),
                clock);
        return new CsiNode(CsiSocketServer.start(
                settings.socket(),
                List.of(
                        IdentityService.of(settings.version(), () -> true),
                        new NodeService(settings.nodeName(), publisher))));
    }

    @Override
    public void close() {
        server.close();
    }
}

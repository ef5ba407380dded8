package io.workdisk.operator.csi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.csi.CsiSocketServer;
import io.workdisk.csi.IdentityService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The driver's controller half inside the operator: Identity and Controller services on {@code --csi-socket}. */
public final class CsiController implements AutoCloseable {
    /**
     * How long CreateVolume and ControllerExpandVolume wait for the disk before answering ABORTED, which the
     * provisioner and resizer take as "ask again" with the same name (CreateVolume is idempotent by name).
     */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    private final CsiSocketServer server;
    private final CapacityReport capacity;

    private CsiController(CsiSocketServer server, CapacityReport capacity) {
        this.server = server;
        this.capacity = capacity;
    }

    public static CsiController start(KubernetesClient client, Path socket, String version, Duration wait) {
        CapacityReport capacity = CapacityReport.watching(client);
        try {
            ControllerService controller = new ControllerService(new Volumes(client, capacity, wait), capacity);
            return new CsiController(
                    CsiSocketServer.start(socket, List.of(IdentityService.of(version, () -> true), controller)),
                    capacity);
        } catch (RuntimeException e) {
            capacity.close();
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
        capacity.close();
    }
}

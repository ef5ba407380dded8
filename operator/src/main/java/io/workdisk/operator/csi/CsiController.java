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
    private final DiskWaits waits;

    private CsiController(CsiSocketServer server, CapacityReport capacity, DiskWaits waits) {
        this.server = server;
        this.capacity = capacity;
        this.waits = waits;
    }

    public static CsiController start(KubernetesClient client, Path socket, String version, Duration wait) {
        CapacityReport capacity = CapacityReport.watching(client);
        DiskWaits waits = null;
        try {
            waits = DiskWaits.watching(client);
            ControllerService controller = new ControllerService(new Volumes(client, capacity, waits, wait), capacity);
            return new CsiController(
                    CsiSocketServer.start(socket, List.of(IdentityService.of(version, () -> true), controller)),
                    capacity,
                    waits);
        } catch (RuntimeException e) {
            if (waits != null) {
                waits.close();
            }
            capacity.close();
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
        waits.close();
        capacity.close();
    }
}

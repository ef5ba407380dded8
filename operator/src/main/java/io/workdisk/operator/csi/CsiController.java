package io.workdisk.operator.csi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.csi.CsiSocketServer;
import io.workdisk.csi.IdentityService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The driver's controller half inside the operator: Identity and Controller services on {@code --csi-socket}. */
public final class CsiController implements AutoCloseable {
    /**
     * How long CreateVolume and ControllerExpandVolume wait for the disk before answering ABORTED, which the
     * provisioner and resizer take as "ask again" with the same name (CreateVolume is idempotent by name).
     */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    /**
     * How old a disk of a claim must be, and how often they are looked at, before one whose claim is gone with no
     * PV is taken back ({@link OrphanVolumes}): the provisioner writes the PV within moments of CreateVolume's
     * answer, and a claim's disk left a minute or two costs only its room.
     */
    static final Duration ORPHAN_GRACE = Duration.ofSeconds(30);

    static final Duration ORPHAN_SWEEP = Duration.ofSeconds(15);

    private final CsiSocketServer server;
    private final CapacityReport capacity;
    private final DiskWaits waits;
    private final ScheduledExecutorService sweeps;
    private final ScheduledExecutorService waitEnds;

    private CsiController(
            CsiSocketServer server,
            CapacityReport capacity,
            DiskWaits waits,
            ScheduledExecutorService sweeps,
            ScheduledExecutorService waitEnds) {
        this.server = server;
        this.capacity = capacity;
        this.waits = waits;
        this.sweeps = sweeps;
        this.waitEnds = waitEnds;
    }

    public static CsiController start(KubernetesClient client, Path socket, String version, Duration wait) {
        return start(client, socket, version, wait, Clock.systemUTC());
    }

    static CsiController start(KubernetesClient client, Path socket, String version, Duration wait, Clock clock) {
        CapacityReport capacity = CapacityReport.watching(client);
        // Ends the waits of CreateVolume and ControllerExpandVolume, and carries each on to its answer: the calls
        // themselves hold no thread while their disks are made.
        ScheduledExecutorService waitEnds = daemons(2, "csi-wait-ends");
        DiskWaits waits = null;
        try {
            waits = DiskWaits.watching(client, waitEnds);
            ControllerService controller =
                    new ControllerService(new Volumes(client, capacity, waits, wait, waitEnds), capacity);
            CsiSocketServer server =
                    CsiSocketServer.start(socket, List.of(IdentityService.of(version, () -> true), controller));
            ScheduledExecutorService sweeps = daemons(1, "csi-orphan-volumes");
            OrphanVolumes orphans = new OrphanVolumes(client, waits::all, clock, ORPHAN_GRACE);
            sweeps.scheduleWithFixedDelay(
                    orphans::sweep, ORPHAN_SWEEP.toMillis(), ORPHAN_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
            return new CsiController(server, capacity, waits, sweeps, waitEnds);
        } catch (RuntimeException e) {
            if (waits != null) {
                waits.close();
            }
            waitEnds.shutdownNow();
            capacity.close();
            throw e;
        }
    }

    private static ScheduledExecutorService daemons(int threads, String name) {
        return Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        sweeps.shutdownNow();
        server.close();
        waitEnds.shutdownNow();
        waits.close();
        capacity.close();
    }
}

package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Everything an installation is asked to do, as a user asks it: a WorkSeed built on every node, a seeded
 * and a blank WorkDisk made Ready, the blank one grown, both deleted, the seed deleted, and no task left.
 * Each wait also watches {@code stop}: once that says so, the run ends early with {@link Stopped}.
 */
final class Lifecycle {
    private static final Duration STEP = Duration.ofSeconds(90);

    /** The run was cut short because {@code stop} said so. */
    static final class Stopped extends RuntimeException {
        Stopped(String during) {
            super("stopped while waiting for " + during);
        }
    }

    private final KubernetesClient kube;
    private final Path rootfs;
    private final List<String> nodes;
    private final BooleanSupplier stop;
    /** Whether a kube-controller-manager binds volumes here, so the disks' claims are followed too. */
    private boolean claimsBound;

    /** {@code kube}: a user's client; {@code nodes}: the nodes with an agent, each of which gets the seed. */
    Lifecycle(KubernetesClient kube, Path rootfs, List<String> nodes, BooleanSupplier stop) {
        this.kube = kube;
        this.rootfs = rootfs;
        this.nodes = nodes;
        this.stop = stop;
    }

    /** Also waits for the blank disk's claim to be bound, and for its capacity to follow the disk's growth. */
    Lifecycle withClaimsBound() {
        this.claimsBound = true;
        return this;
    }

    /** Runs to the end, or throws {@link Stopped}. */
    void run() {
        kube.resource(Manifests.seed("s", rootfs)).create();
        step("the seed Ready on " + nodes, () -> {
            WorkSeed s = kube.resources(WorkSeed.class).withName("s").get();
            return s.getStatus() != null
                    && s.getStatus().nodes() != null
                    && nodes.stream()
                            .allMatch(n -> s.getStatus().nodes().stream()
                                    .anyMatch(x -> x.node().equals(n) && x.phase() == SeedPhase.Ready));
        });
        kube.resource(Manifests.seeded("seeded", "1Gi", "s")).create();
        kube.resource(Manifests.disk("blank", "1Gi")).create();
        step("both disks Ready", () -> phase("seeded") == DiskPhase.Ready && phase("blank") == DiskPhase.Ready);
        if (claimsBound) {
            step("the blank disk's claim Bound", () -> claimBytes("blank") == 1L << 30);
        }
        Edits.edit(disks().withName("blank"), d -> {
            d.setSpec(d.getSpec().withSize("2Gi"));
            return d;
        });
        step(
                "the blank disk grown to 2Gi",
                () -> disks().withName("blank").get().getStatus().capacityBytes() == 2L << 30);
        if (claimsBound) {
            step("the blank disk's claim at 2Gi", () -> claimBytes("blank") == 2L << 30);
        }
        disks().withName("seeded").delete();
        disks().withName("blank").delete();
        kube.resources(WorkSeed.class).withName("s").delete();
        step("every disk, seed and task gone", () -> Waits.noneLeft(kube));
    }

    /** The capacity of the disk's bound claim; 0 while it is not bound. */
    private long claimBytes(String name) {
        var claim = kube.persistentVolumeClaims()
                .inNamespace("default")
                .withName(name)
                .get();
        if (claim == null
                || claim.getStatus() == null
                || !"Bound".equals(claim.getStatus().getPhase())) {
            return 0;
        }
        return Quantity.getAmountInBytes(claim.getStatus().getCapacity().get("storage"))
                .longValue();
    }

    private DiskPhase phase(String name) {
        WorkDisk d = disks().withName(name).get();
        return d == null || d.getStatus() == null ? null : d.getStatus().phase();
    }

    private NonNamespaceOperation<WorkDisk, KubernetesResourceList<WorkDisk>, Resource<WorkDisk>> disks() {
        return kube.resources(WorkDisk.class).inNamespace("default");
    }

    private void step(String what, Callable<Boolean> done) {
        await().alias(what)
                .atMost(STEP)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> stop.getAsBoolean() || done.call());
        if (stop.getAsBoolean()) {
            throw new Stopped(what);
        }
    }
}

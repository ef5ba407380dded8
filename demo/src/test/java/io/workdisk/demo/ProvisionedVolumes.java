package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.VolumeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The volumes a run of provisioning left, against what it should have: one WorkDisk per PV and per volume name,
 * one image per disk on the nodes and nothing else in their data roots. {@code logs}: what the processes said,
 * for a failure's message.
 */
final class ProvisionedVolumes {
    private final KubernetesClient kube;
    private final String namespace;
    private final List<Path> dataRoots;
    private final Supplier<String> logs;

    ProvisionedVolumes(KubernetesClient kube, String namespace, List<Path> dataRoots, Supplier<String> logs) {
        this.kube = kube;
        this.namespace = namespace;
        this.dataRoots = dataRoots;
        this.logs = logs;
    }

    /**
     * Once every claim is Bound, held for a while so the provisioner's retries have settled: one WorkDisk per PV
     * and one PV per WorkDisk, each PV naming its own disk (that uid), one image per disk on the nodes and nothing
     * else in their data roots, each name only ever one disk (the watch) and created once (the audit log: a
     * create answered AlreadyExists is idempotency at work, a second disk for the name is not).
     */
    List<WorkDisk> assertNoneLostOrMadeTwice(
            int claims, Supplier<List<AuditLog.Entry>> requests, Map<String, Set<String>> uidsByName)
            throws IOException {
        try {
            await().during(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertOnePerVolume(claims));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + logs.get(), e);
        }
        List<WorkDisk> disks =
                kube.resources(WorkDisk.class).inNamespace(namespace).list().getItems();
        assertThat(disks).allSatisfy(d -> assertThat(d.getStatus().phase()).isEqualTo(DiskPhase.Ready));

        Set<String> images = images();
        assertThat(images)
                .as("the images on the nodes: one per WorkDisk, none without one")
                .containsExactlyInAnyOrderElementsOf(
                        disks.stream().map(d -> d.getStatus().path()).toList());
        assertThat(ProcessCluster.leftovers(dataRoots.toArray(Path[]::new)))
                .as("no staging, undo or partial files in the data roots")
                .isEmpty();

        List<AuditLog.Entry> diskWrites = requests.get().stream()
                .filter(e -> e.resource().equals("workdisks"))
                .toList();
        Map<String, Long> made = diskWrites.stream()
                .filter(e -> e.verb().equals("create") && e.code() == 201)
                .collect(Collectors.groupingBy(e -> e.namespace() + "/" + e.name(), Collectors.counting()));
        assertThat(made)
                .as("disks created, by name (every one once)")
                .hasSize(claims)
                .allSatisfy((name, n) -> assertThat(n).as(name).isEqualTo(1L));
        assertThat(diskWrites.stream().filter(e -> e.verb().equals("delete")))
                .as("no disk deleted while provisioning")
                .isEmpty();
        assertThat(uidsByName)
                .as("each volume name only ever one disk")
                .allSatisfy((name, uids) -> assertThat(uids).as(name).hasSize(1));
        return disks;
    }

    /** One WorkDisk per PV and one PV per WorkDisk, each PV naming its disk by uid, on the disk's node. */
    void assertOnePerVolume(int claims) {
        List<WorkDisk> disks =
                kube.resources(WorkDisk.class).inAnyNamespace().list().getItems();
        List<PersistentVolume> pvs = kube.persistentVolumes().list().getItems();
        assertThat(pvs).as("PVs").hasSize(claims);
        assertThat(disks).as("WorkDisks").hasSize(claims);
        Map<String, WorkDisk> byKey = disks.stream().collect(Collectors.toMap(ProvisionedVolumes::key, d -> d));
        Set<String> named = new TreeSet<>();
        for (PersistentVolume pv : pvs) {
            String handle = pv.getSpec().getCsi().getVolumeHandle();
            VolumeId id = VolumeId.parse(handle).orElseThrow(() -> new AssertionError("not a volume id: " + handle));
            WorkDisk disk = byKey.get(id.namespace() + "/" + id.name());
            assertThat(disk)
                    .as("the disk PV %s names", pv.getMetadata().getName())
                    .isNotNull();
            assertThat(disk.getMetadata().getUid())
                    .as(
                            "PV %s names that very disk, not a namesake",
                            pv.getMetadata().getName())
                    .isEqualTo(id.uid());
            assertThat(Claims.affinityNodes(pv))
                    .containsExactly(disk.getStatus().nodeName());
            named.add(key(disk));
        }
        assertThat(named).as("disks a PV names").containsExactlyInAnyOrderElementsOf(byKey.keySet());
    }

    /** The published images on every node. */
    Set<String> images() throws IOException {
        Set<String> images = new TreeSet<>();
        for (Path root : dataRoots) {
            try (Stream<Path> files = Files.list(root.resolve("disks"))) {
                files.filter(f -> f.getFileName().toString().endsWith(".ext4")
                                && !f.getFileName().toString().startsWith("."))
                        .forEach(f -> images.add(f.toString()));
            }
        }
        return images;
    }

    static String key(WorkDisk d) {
        return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
    }
}

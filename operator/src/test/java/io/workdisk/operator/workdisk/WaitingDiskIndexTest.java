package io.workdisk.operator.workdisk;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workdisk.WorkDiskStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which index keys a disk has: only disks not made yet are found by a node's or a seed's change. */
class WaitingDiskIndexTest {
    static WorkDisk disk(String seedRef, String node, String uuid) {
        WorkDisk d = new WorkDisk();
        d.setMetadata(new ObjectMetaBuilder()
                .withName("d")
                .withNamespace("ns")
                .withUid("u")
                .build());
        d.setSpec(new WorkDiskSpec("1Gi", seedRef, null, null, null, null, null));
        if (node != null || uuid != null) {
            d.setStatus(new WorkDiskStatus(
                    uuid == null ? DiskPhase.Creating : DiskPhase.Ready, node, null, null, uuid, List.of(), 1L, null));
        }
        return d;
    }

    @Test
    void aDiskNotPlacedIsFoundByEveryNodeAndItsSeed() {
        WorkDisk d = disk("ubuntu", null, null);
        assertThat(WaitingDiskIndex.nodeKeys(d))
                .containsExactlyInAnyOrder(WaitingDiskIndex.ANY, WaitingDiskIndex.UNPLACED);
        assertThat(WaitingDiskIndex.seedKeys(d)).containsExactly("ubuntu");
    }

    @Test
    void aDiskBeingMadeIsFoundByItsNode() {
        WorkDisk d = disk(null, "node-a", null);
        assertThat(WaitingDiskIndex.nodeKeys(d)).containsExactlyInAnyOrder(WaitingDiskIndex.ANY, "node-a");
        assertThat(WaitingDiskIndex.seedKeys(d)).isEmpty();
    }

    @Test
    void aMadeDiskIsInNoIndex() {
        WorkDisk d = disk("ubuntu", "node-a", "fs-uuid");
        assertThat(WaitingDiskIndex.nodeKeys(d)).isEmpty();
        assertThat(WaitingDiskIndex.seedKeys(d)).isEmpty();
    }
}

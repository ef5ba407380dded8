package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.task.HostPathSource;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.workdisk.ReclaimPolicy;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import java.nio.file.Path;
import java.util.Map;

/** WorkDisks and WorkSeeds as a user would write them. */
final class Manifests {
    private Manifests() {
    }

    static WorkDisk disk(String namespace, String name, String size, String seedRef, String nodeName,
            Map<String, String> selector, ReclaimPolicy policy) {
        WorkDisk d = new WorkDisk();
        d.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        d.setSpec(new WorkDiskSpec(size, seedRef, nodeName, selector, policy, null));
        return d;
    }

    static WorkDisk disk(String name, String size) {
        return disk("default", name, size, null, null, null, null);
    }

    static WorkDisk seeded(String name, String size, String seed) {
        return disk("default", name, size, seed, null, null, null);
    }

    static WorkSeed seed(String name, Path rootfs) {
        WorkSeed s = new WorkSeed();
        s.setMetadata(new ObjectMetaBuilder().withName(name).build());
        s.setSpec(new WorkSeedSpec(new SeedSource(new HostPathSource(rootfs.toString()), null), null, null));
        return s;
    }

    /** The same spec with another size (a user's edit). */
    static WorkDiskSpec withSize(WorkDiskSpec s, String size) {
        return new WorkDiskSpec(size, s.seedRef(), s.nodeName(), s.nodeSelector(), s.reclaimPolicy(), s.preallocate());
    }
}

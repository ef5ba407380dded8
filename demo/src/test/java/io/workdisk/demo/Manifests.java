package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.task.HostPathSource;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import java.nio.file.Path;

/** WorkDisks and WorkSeeds as a user would write them. */
final class Manifests {
    private Manifests() {}

    static WorkDisk disk(String namespace, String name, WorkDiskSpec spec) {
        WorkDisk d = new WorkDisk();
        d.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        d.setSpec(spec);
        return d;
    }

    static WorkDisk disk(String name, String size) {
        return disk("default", name, WorkDiskSpec.ofSize(size));
    }

    static WorkDisk seeded(String name, String size, String seed) {
        return disk("default", name, WorkDiskSpec.ofSize(size).withSeedRef(seed));
    }

    static WorkSeed seed(String name, Path rootfs) {
        WorkSeed s = new WorkSeed();
        s.setMetadata(new ObjectMetaBuilder().withName(name).build());
        s.setSpec(new WorkSeedSpec(
                new SeedSource(new HostPathSource(rootfs.toString()), null, null, null), null, null, null));
        return s;
    }
}

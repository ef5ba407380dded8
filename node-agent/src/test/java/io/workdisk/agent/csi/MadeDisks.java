package io.workdisk.agent.csi;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.api.DataRootLayout;
import io.workdisk.csi.VolumeId;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real ext4 disks a test makes with the disk engine, and the node's view of them: what the agent answers from
 * WorkDisks, a test answers from these, with the states a test puts them in.
 */
final class MadeDisks implements NodeDisks {
    enum State {
        READY,
        RESIZING,
        DELETING,
        OTHER_NODE
    }

    private final DiskEngine engine = DiskEngine.standard();
    private final ConfinedRoot root;
    private final Path dataRoot;
    private final Map<VolumeId, State> disks = new ConcurrentHashMap<>();

    MadeDisks(Path dataRoot) throws EngineException, java.io.IOException {
        this.dataRoot = dataRoot;
        java.nio.file.Files.createDirectories(dataRoot.resolve(DataRootLayout.DISKS));
        this.root = ConfinedRoot.of(dataRoot);
    }

    /** A new blank ext4 disk of this size, Ready on this node. */
    VolumeId make(String namespace, String name, long sizeBytes) throws EngineException {
        String uid = UUID.randomUUID().toString();
        engine.format(root, new DiskEngine.FormatRequest(image(uid), sizeBytes, false, uid, false));
        VolumeId id = VolumeId.of(namespace, name, uid);
        disks.put(id, State.READY);
        return id;
    }

    Optional<VolumeId> named(String namespace, String name) {
        return disks.keySet().stream()
                .filter(id -> id.namespace().equals(namespace) && id.name().equals(name))
                .findFirst();
    }

    void put(VolumeId id, State state) {
        disks.put(id, state);
    }

    void remove(VolumeId id) throws EngineException {
        if (disks.remove(id) != null) {
            engine.delete(root, image(id.uid()), id.uid());
        }
    }

    Path image(String uid) {
        return dataRoot.resolve(DataRootLayout.diskPath(uid));
    }

    @Override
    public DiskLookup find(VolumeId id) {
        State state = disks.get(id);
        if (state == null) {
            return DiskLookup.missing("volume " + id + " does not exist");
        }
        return switch (state) {
            case READY -> DiskLookup.usable(image(id.uid()));
            case RESIZING -> DiskLookup.busy("disk " + id.name() + " is being resized");
            case DELETING -> DiskLookup.busy("disk " + id.name() + " is being deleted");
            case OTHER_NODE -> DiskLookup.missing("disk " + id.name() + " is on node other-node, not this one");
        };
    }
}

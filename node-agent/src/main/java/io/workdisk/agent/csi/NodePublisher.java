package io.workdisk.agent.csi;

import io.workdisk.csi.Presentation;
import io.workdisk.csi.VolumeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes Ready disks of this node at kubelet's targets and takes them down again, the three presentations
 * alike: Block (the image's loop device bound onto the target file), disk image (the image bound onto
 * {@code disk.img} in the target directory) and mounted (the ext4 filesystem on the loop device mounted at
 * the target). Every check comes before the host is touched; a publication is recorded before it is made.
 * One request at a time: publishing is rare and quick, and one lock rules out two requests racing on one
 * loop device.
 */
final class NodePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(NodePublisher.class);

    private final NodeDisks disks;
    private final TargetPaths targets;
    private final Publications publications;
    private final LoopDevices loops;
    private final Mounts mounts;
    private final Clock clock;

    NodePublisher(
            NodeDisks disks,
            TargetPaths targets,
            Publications publications,
            LoopDevices loops,
            Mounts mounts,
            Clock clock) {
        this.disks = disks;
        this.targets = targets;
        this.publications = publications;
        this.loops = loops;
        this.mounts = mounts;
        this.clock = clock;
    }

    synchronized void publish(PublishRequest request) throws Refused {
        VolumeId id = volumeId(request.volumeId());
        Path target = targets.confine(request.targetPath(), "target_path");
        Path image = usableImage(id);
        try {
            Optional<Publication> there = publications.at(target);
            if (there.isPresent()) {
                Publication existing = there.get();
                if (!existing.sameAs(request.volumeId(), request.presentation(), request.readOnly())) {
                    throw Refused.alreadyExists("target " + target + " already holds volume " + existing.volumeId()
                            + " (" + existing.presentation().parameter() + (existing.readOnly() ? ", read-only" : "")
                            + ")");
                }
                if (mounts.isMountPoint(mountPoint(existing.presentation(), target))) {
                    return; // the same request again: done already
                }
            } else {
                refuseAnotherPresentation(request);
                refuseForeignTarget(request.presentation(), target);
            }
            publications.record(Publication.of(
                    request.volumeId(),
                    target.toString(),
                    request.presentation(),
                    request.readOnly(),
                    image.toString(),
                    request.pod(),
                    clock.instant()));
            if (there.isEmpty()) {
                stillUsable(id, target);
            }
            try {
                carryOut(request, image, target);
            } catch (IOException | RuntimeException e) {
                takeDown(request.presentation(), target, image, request.volumeId());
                throw e;
            }
            LOG.info(
                    "published {} at {} ({}{}) for pod {}/{}",
                    request.volumeId(),
                    target,
                    request.presentation().parameter(),
                    request.readOnly() ? ", read-only" : "",
                    request.pod().namespace(),
                    request.pod().name());
        } catch (IOException e) {
            throw Refused.internal("cannot publish " + request.volumeId() + " at " + target + ": " + e.getMessage());
        }
    }

    /**
     * The disk asked again once its publication is on record. The agent refuses a resize or delete step while a
     * publication of its disk is recorded; a step asked for between the first look and the record is seen
     * here, and the record is withdrawn before anything is mounted. One of the two always sees the other.
     */
    private void stillUsable(VolumeId id, Path target) throws Refused, IOException {
        try {
            usableImage(id);
        } catch (Refused e) {
            publications.forget(target);
            throw e;
        }
    }

    synchronized void unpublish(String volumeId, String targetPath) throws Refused {
        if (volumeId == null || volumeId.isEmpty()) {
            throw Refused.invalid("volume_id is required");
        }
        if (targetPath == null || targetPath.isEmpty()) {
            throw Refused.invalid("target_path is required");
        }
        Path target = Path.of(targetPath);
        try {
            Optional<Publication> there = publications.at(target);
            if (there.isEmpty()) {
                return; // never published here, or taken down already: nothing of ours to touch
            }
            Publication existing = there.get();
            if (!existing.volumeId().equals(volumeId)) {
                throw Refused.notFound(
                        "target " + target + " holds volume " + existing.volumeId() + ", not " + volumeId);
            }
            takeDown(existing.presentation(), target, Path.of(existing.imagePath()), volumeId);
            LOG.info("unpublished {} from {}", volumeId, target);
        } catch (IOException e) {
            throw Refused.internal("cannot unpublish " + volumeId + " from " + target + ": " + e.getMessage());
        }
    }

    /** The publication at a path the CO asks statistics for, if it is this volume's. */
    synchronized Publication publishedAt(String volumeId, String volumePath) throws Refused {
        if (volumeId == null || volumeId.isEmpty()) {
            throw Refused.invalid("volume_id is required");
        }
        if (volumePath == null || volumePath.isEmpty()) {
            throw Refused.invalid("volume_path is required");
        }
        try {
            return publications
                    .at(Path.of(volumePath))
                    .filter(p -> p.volumeId().equals(volumeId))
                    .orElseThrow(() -> Refused.notFound("volume " + volumeId + " is not published at " + volumePath));
        } catch (IOException e) {
            throw Refused.internal("cannot read the node's publications: " + e.getMessage());
        }
    }

    private static VolumeId volumeId(String text) throws Refused {
        if (text == null || text.isEmpty()) {
            throw Refused.invalid("volume_id is required");
        }
        return VolumeId.parse(text)
                .orElseThrow(() -> Refused.notFound("volume " + text + " is not a workdisk.io volume"));
    }

    private Path usableImage(VolumeId id) throws Refused {
        NodeDisks.DiskLookup found = disks.find(id);
        if (found instanceof NodeDisks.DiskLookup.Usable usable) {
            return usable.image();
        }
        if (found instanceof NodeDisks.DiskLookup.Busy busy) {
            throw Refused.precondition(busy.reason());
        }
        throw Refused.notFound(((NodeDisks.DiskLookup.Missing) found).reason());
    }

    /** Raw writes to a device while its filesystem is mounted corrupt it: one presentation at a time. */
    private void refuseAnotherPresentation(PublishRequest request) throws IOException, Refused {
        for (Publication other : publications.of(request.volumeId())) {
            if (other.presentation() != request.presentation()) {
                throw Refused.precondition("volume " + request.volumeId() + " is published as "
                        + other.presentation().parameter() + " at " + other.targetPath()
                        + "; it cannot be published as "
                        + request.presentation().parameter() + " at the same time");
            }
        }
    }

    /** A target already mounted by someone else is left alone. */
    private void refuseForeignTarget(Presentation presentation, Path target) throws IOException, Refused {
        if (mounts.isMountPoint(mountPoint(presentation, target))) {
            throw Refused.alreadyExists("something this driver did not publish is mounted at " + target);
        }
    }

    private void carryOut(PublishRequest request, Path image, Path target) throws IOException {
        switch (request.presentation()) {
            case BLOCK -> {
                if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createFile(target);
                }
                mounts.bind(Path.of(loops.attach(image)), target, request.readOnly());
            }
            case DISK_IMAGE -> {
                Files.createDirectories(target);
                Path file = target.resolve(Presentation.DISK_IMAGE_FILE);
                if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createFile(file);
                }
                if (request.mountGroup().isPresent()) {
                    shareWithGroup(image, request.mountGroup().getAsInt(), "rw-rw----");
                    shareWithGroup(target, request.mountGroup().getAsInt(), "rwxr-x---");
                }
                mounts.bind(image, file, request.readOnly());
            }
            case MOUNTED -> {
                Files.createDirectories(target);
                mounts.mountExt4(loops.attach(image), target, request.readOnly(), request.mountFlags());
                if (request.mountGroup().isPresent() && !request.readOnly()) {
                    shareWithGroup(target, request.mountGroup().getAsInt(), "rwxrwx---");
                }
            }
        }
    }

    /**
     * Unmounts, removes what publishing made, forgets the record and, once no target uses the volume any more,
     * detaches its loop device. Each step is safe to repeat, so a take-down cut short is finished next time.
     */
    private void takeDown(Presentation presentation, Path target, Path image, String volumeId) throws IOException {
        Path mountPoint = mountPoint(presentation, target);
        mounts.unmountAll(mountPoint);
        if (presentation == Presentation.DISK_IMAGE) {
            Files.deleteIfExists(mountPoint);
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            try (var entries = Files.list(target)) {
                if (entries.findAny().isEmpty()) {
                    Files.delete(target);
                }
            }
        } else if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == 0) {
            Files.delete(target);
        }
        publications.forget(target);
        List<Publication> still = publications.of(volumeId);
        if (still.isEmpty() && presentation != Presentation.DISK_IMAGE && Files.exists(image)) {
            loops.detach(image);
        }
    }

    private static Path mountPoint(Presentation presentation, Path target) {
        return presentation == Presentation.DISK_IMAGE ? target.resolve(Presentation.DISK_IMAGE_FILE) : target;
    }

    private static void shareWithGroup(Path path, int gid, String permissions) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        GroupPrincipal group =
                path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(Integer.toString(gid));
        view.setGroup(group);
        view.setPermissions(PosixFilePermissions.fromString(permissions));
    }
}

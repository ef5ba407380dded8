package io.workdisk.agent.node;

import io.workdisk.agent.csi.Publication;
import io.workdisk.agent.csi.Publications;
import io.workdisk.agent.engine.resize.ResizeJournal;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.task.DataDirectories;
import io.workdisk.api.DataRootLayout;
import io.workdisk.api.node.VolumePublication;
import io.workdisk.csi.VolumeId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What this node can offer right now, read from its data root and its tools. */
public final class NodeSurvey {
    private static final Logger LOG = LoggerFactory.getLogger(NodeSurvey.class);
    static final List<String> REQUIRED_TOOLS =
            List.of("mkfs.ext4", "debugfs", "e2fsck", "tune2fs", "resize2fs", "e2undo", "cp", "stat", "fallocate");

    private final DataDirectories directories;
    private final E2fsTools tools;
    private final Long capacityLimit;
    private final Supplier<List<ResizeJournal.Unrecovered>> unrecovered;
    private final Publications publications;

    /** {@code unrecovered}: the disks whose interrupted resize could not be rolled back, as recovery found them. */
    public NodeSurvey(
            DataDirectories directories,
            E2fsTools tools,
            Long capacityLimit,
            Supplier<List<ResizeJournal.Unrecovered>> unrecovered)
            throws IOException {
        this.directories = directories;
        this.tools = tools;
        this.capacityLimit = capacityLimit;
        this.unrecovered = unrecovered;
        this.publications = Publications.under(directories.root().path());
    }

    /** {@code unrecovered}: one message per disk that needs repair by hand; they do not make the node unready. */
    public record Facts(
            String dataRoot,
            long capacityBytes,
            long freeBytes,
            long allocatedBytes,
            int disks,
            List<String> seeds,
            boolean ready,
            String reason,
            String message,
            List<String> unrecovered,
            List<VolumePublication> publications) {}

    public Facts survey() {
        Path root = directories.root().path();
        long capacity = 0;
        long free = 0;
        String reason = "AgentReady";
        String message = "e2fsprogs found; data root writable";
        boolean ready = true;
        try {
            FileStore store = Files.getFileStore(root);
            capacity = store.getTotalSpace();
            free = store.getUsableSpace();
        } catch (IOException e) {
            ready = false;
            reason = "DataRootUnreadable";
            message = "cannot read the data root's filesystem: " + ErrorText.of(e);
        }
        if (capacityLimit != null) {
            capacity = Math.min(capacity, capacityLimit);
        }
        List<String> missing =
                REQUIRED_TOOLS.stream().filter(t -> tools.locate(t).isEmpty()).toList();
        if (ready && !missing.isEmpty()) {
            ready = false;
            reason = "ToolsMissing";
            message = "not found on this node: " + String.join(", ", missing) + " (install e2fsprogs)";
        }
        if (ready && !writable(root)) {
            ready = false;
            reason = "DataRootUnwritable";
            message = "cannot create files in " + root;
        }
        long allocated = 0;
        int disks = 0;
        for (Path disk : list(directories.disks(), "*" + DataRootLayout.IMAGE_SUFFIX)) {
            disks++;
            allocated += disk.toFile().length();
        }
        List<String> seeds = new ArrayList<>();
        for (Path seed : list(directories.seeds(), "*" + DataRootLayout.IMAGE_SUFFIX)) {
            seeds.add(DataRootLayout.imageName(seed.getFileName().toString()));
        }
        seeds.sort(null);
        return new Facts(
                root.toString(),
                capacity,
                free,
                allocated,
                disks,
                seeds,
                ready,
                reason,
                message,
                unrecovered.get().stream()
                        .map(ResizeJournal.Unrecovered::message)
                        .toList(),
                published());
    }

    /**
     * What the node's CSI service has on record as published, for the node's status, in a stable order (so an
     * unchanged list is an unchanged record). Unreadable records are logged and left out rather than stop
     * the heartbeat; the agent's own check before a resize or delete step reads them again and fails closed.
     */
    private List<VolumePublication> published() {
        try {
            return publications.all().stream()
                    .map(NodeSurvey::shown)
                    .sorted(Comparator.comparing(VolumePublication::targetPath))
                    .toList();
        } catch (IOException e) {
            LOG.warn("cannot read this node's CSI publications: {}", ErrorText.of(e));
            return List.of();
        }
    }

    private static VolumePublication shown(Publication p) {
        return VolumePublication.of(
                p.volumeId(),
                VolumeId.parse(p.volumeId()).map(VolumeId::uid).orElse(null),
                p.targetPath(),
                p.presentation().parameter(),
                p.readOnly(),
                p.pod().namespace(),
                p.pod().name(),
                p.pod().uid(),
                p.publishedAt());
    }

    private static boolean writable(Path root) {
        try {
            Path probe = Files.createTempFile(root, ".workdisk-probe-", "");
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> list(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(out::add);
        } catch (IOException e) {
            // a missing directory holds nothing
        }
        return out;
    }
}

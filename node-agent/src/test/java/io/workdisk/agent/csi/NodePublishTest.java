package io.workdisk.agent.csi;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.HostLeftovers;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.csi.VolumeId;
import io.workdisk.csi.protocol.NodeGetVolumeStatsRequest;
import io.workdisk.csi.protocol.VolumeUsage;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each presentation shows the disk as a VM or pod expects it, on real loop devices and mounts; unpublishing
 * leaves nothing behind; a restarted agent finds what its predecessor published.
 */
class NodePublishTest {
    private static final long SIZE = 64L << 20;
    private static final int EXT4_MAGIC_OFFSET = 1024 + 0x38;

    @TempDir
    Path dir;

    NodeHarness node;
    VolumeId disk;

    @BeforeEach
    void start() throws Exception {
        Requirements.need(HostSupport.canLoopMount(dir), HostSupport.whyNot(dir));
        node = new NodeHarness(dir);
        disk = node.disks.make("team-a", "dev-vm", SIZE);
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void blockIsTheDiskDeviceThatAPodWritesAndReads() throws Exception {
        Path target = node.kubelet.resolve("pods/block");
        node.node().nodePublishVolume(NodeHarness.publish(disk.toString(), target, NodeHarness.block(), null));

        assertThat(node.loopDevices()).hasSize(1);
        byte[] written = "written through the device".getBytes(StandardCharsets.UTF_8);
        try (var device = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertThat(device.size()).isEqualTo(SIZE);
            assertThat(superblockMagic(device)).isEqualTo(0xEF53);
            device.write(ByteBuffer.wrap(written), SIZE - 4096);
            device.force(true);
        }
        node.node().nodeUnpublishVolume(NodeHarness.unpublish(disk, target));

        assertThat(target).doesNotExist();
        assertThat(node.loopDevices()).isEmpty();
        assertThat(node.mounts()).isEmpty();
        try (var image = new RandomAccessFile(node.disks.image(disk.uid()).toFile(), "r")) {
            byte[] back = new byte[written.length];
            image.seek(SIZE - 4096);
            image.readFully(back);
            assertThat(back).isEqualTo(written);
        }
    }

    @Test
    void diskImageIsTheImageAsDiskImgForKubeVirtsUser() throws Exception {
        Path target = node.kubelet.resolve("pods/vm");
        node.node()
                .nodePublishVolume(
                        NodeHarness.publish(disk.toString(), target, NodeHarness.mount(List.of(), "107"), null));

        Path diskImg = target.resolve("disk.img");
        assertThat(Files.size(diskImg)).isEqualTo(SIZE);
        try (var file = FileChannel.open(diskImg)) {
            assertThat(superblockMagic(file)).isEqualTo(0xEF53);
        }
        PosixFileAttributes attributes = Files.readAttributes(diskImg, PosixFileAttributes.class);
        assertThat(attributes.group().getName()).isIn("107", groupName(107));
        assertThat(PosixFilePermissions.toString(attributes.permissions())).isEqualTo("rw-rw----");
        assertThat(node.loopDevices()).as("a disk image needs no loop device").isEmpty();
        var usage = node.node()
                .nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
                        .setVolumeId(disk.toString())
                        .setVolumePath(target.toString())
                        .build())
                .getUsage(0);
        assertThat(usage.getUnit()).isEqualTo(VolumeUsage.Unit.BYTES);
        assertThat(usage.getTotal()).isEqualTo(SIZE);

        node.node().nodeUnpublishVolume(NodeHarness.unpublish(disk, target));
        assertThat(target).doesNotExist();
        assertThat(node.mounts()).isEmpty();
    }

    @Test
    void mountedIsTheDisksFilesystem() throws Exception {
        Path target = node.kubelet.resolve("pods/files");
        node.node()
                .nodePublishVolume(NodeHarness.publish(
                        disk.toString(), target, NodeHarness.mount(List.of("noatime"), ""), "mounted"));

        assertThat(target.resolve("lost+found")).isDirectory();
        Files.writeString(target.resolve("hello.txt"), "from the pod");
        assertThat(node.mounts()).containsExactly(target);

        node.node().nodeUnpublishVolume(NodeHarness.unpublish(disk, target));
        assertThat(target).doesNotExist();
        assertThat(node.loopDevices()).isEmpty();
        assertThat(node.mounts()).isEmpty();
        String listing = HostCommands.standard()
                .run(
                        "debugfs",
                        "-R",
                        "cat /hello.txt",
                        node.disks.image(disk.uid()).toString());
        assertThat(listing).isEqualTo("from the pod");
    }

    @Test
    void aRestartedAgentFindsItsPublicationsAndNeverAttachesTwice() throws Exception {
        Path first = node.kubelet.resolve("pods/first");
        Path second = node.kubelet.resolve("pods/second");
        var request = NodeHarness.publish(disk.toString(), first, NodeHarness.block(), null);
        node.node().nodePublishVolume(request);
        List<HostLeftovers.LoopDevice> loops = node.loopDevices();

        node.restart();

        node.node().nodePublishVolume(request); // kubelet repeats a call it saw no answer to
        node.node().nodePublishVolume(NodeHarness.publish(disk.toString(), second, NodeHarness.block(), null));
        assertThat(node.loopDevices()).as("the same loop device, found again").isEqualTo(loops);
        assertThat(node.mounts()).containsExactlyInAnyOrder(first, second);

        node.node().nodeUnpublishVolume(NodeHarness.unpublish(disk, first));
        assertThat(node.loopDevices()).as("still used at the second target").isEqualTo(loops);
        node.restart();
        node.node().nodeUnpublishVolume(NodeHarness.unpublish(disk, second));
        node.node().nodeUnpublishVolume(NodeHarness.unpublish(disk, second)); // and again: idempotent
        assertThat(node.loopDevices()).isEmpty();
        assertThat(node.mounts()).isEmpty();
        assertThat(Publications.under(node.data).all()).isEmpty();
    }

    private static int superblockMagic(FileChannel channel) throws Exception {
        ByteBuffer magic = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(magic, EXT4_MAGIC_OFFSET);
        return magic.getShort(0) & 0xFFFF;
    }

    private static String groupName(int gid) throws Exception {
        return Files.readAllLines(Path.of("/etc/group")).stream()
                .map(l -> l.split(":"))
                .filter(f -> f.length > 2 && f[2].equals(Integer.toString(gid)))
                .map(f -> f[0])
                .findFirst()
                .orElse(Integer.toString(gid));
    }
}

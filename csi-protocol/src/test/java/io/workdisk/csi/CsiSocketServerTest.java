package io.workdisk.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.csi.protocol.GetPluginInfoRequest;
import io.workdisk.csi.protocol.IdentityGrpc;
import io.workdisk.csi.protocol.ProbeRequest;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsiSocketServerTest {
    @TempDir
    Path dir;

    @Test
    void servesIdentityOnAnOwnerOnlyUnixSocketAndRemovesItWhenClosed() throws Exception {
        Path socket = dir.resolve("plugins/workdisk.io/csi.sock");
        AtomicBoolean ready = new AtomicBoolean(false);
        try (var server = CsiSocketServer.start(socket, List.of(IdentityService.of("1.2.3", ready::get)));
                var client = CsiSocketChannels.to(socket)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rw-------");
            var identity = IdentityGrpc.newBlockingStub(client.channel());
            var info = identity.getPluginInfo(GetPluginInfoRequest.getDefaultInstance());
            assertThat(info.getName()).isEqualTo("workdisk.io");
            assertThat(info.getVendorVersion()).isEqualTo("1.2.3");
            assertThat(identity.probe(ProbeRequest.getDefaultInstance())
                            .getReady()
                            .getValue())
                    .isFalse();
            ready.set(true);
            assertThat(identity.probe(ProbeRequest.getDefaultInstance())
                            .getReady()
                            .getValue())
                    .isTrue();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void replacesAStaleSocketLeftByACrashedProcess() throws Exception {
        Path socket = dir.resolve("csi.sock");
        // A process that dies leaves its bound socket file behind.
        try (var crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        try (var server = CsiSocketServer.start(socket, List.of(IdentityService.of("1", () -> true)));
                var client = CsiSocketChannels.to(socket)) {
            assertThat(IdentityGrpc.newBlockingStub(client.channel())
                            .getPluginInfo(GetPluginInfoRequest.getDefaultInstance())
                            .getName())
                    .isEqualTo("workdisk.io");
        }
    }

    @Test
    void refusesToReplaceAFileThatIsNotASocket() throws Exception {
        Path notASocket = Files.writeString(dir.resolve("csi.sock"), "data");
        assertThatThrownBy(() -> CsiSocketServer.start(notASocket, List.of()))
                .hasMessageContaining("exists and is not a socket");
        assertThat(notASocket).hasContent("data");
    }

    @Test
    void volumeIdsReadBackOnlyWhatTheDriverWrites() {
        var id = VolumeId.of("team-a", "pvc-1f2e", "0a1b2c3d-0000-4000-8000-00000000abcd");
        assertThat(VolumeId.parse(id.toString())).contains(id);
        assertThat(VolumeId.parse("../../etc/passwd")).isEmpty();
        assertThat(VolumeId.parse("a/b/../c")).isEmpty();
        assertThat(VolumeId.parse("team-a/pvc-1/UPPER")).isEmpty();
        assertThat(VolumeId.parse(null)).isEmpty();
    }
}

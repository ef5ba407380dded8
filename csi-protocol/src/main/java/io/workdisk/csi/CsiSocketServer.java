package io.workdisk.csi;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSI services served on a Unix domain socket (Netty's native epoll transport), the only way kubelet and the
 * sidecars reach a driver. The socket is the driver's whole surface: it is made owner-only, and a stale one
 * left by a crashed process is replaced.
 */
public final class CsiSocketServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CsiSocketServer.class);

    private final Path socket;
    private final Server server;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;

    private CsiSocketServer(Path socket, Server server, EventLoopGroup boss, EventLoopGroup workers) {
        this.socket = socket;
        this.server = server;
        this.bossGroup = boss;
        this.workerGroup = workers;
    }

    /** Serves the services at {@code socket}, its directory made if missing. */
    public static CsiSocketServer start(Path socket, List<BindableService> services) {
        try {
            Path dir = socket.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(socket);
                } else {
                    throw new IOException(socket + " exists and is not a socket");
                }
            }
            EventLoopGroup boss = new EpollEventLoopGroup(1);
            EventLoopGroup workers = new EpollEventLoopGroup(2);
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers);
            services.forEach(builder::addService);
            Server server = builder.build().start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            LOG.info("CSI services listening on unix://{}", socket);
            return new CsiSocketServer(socket, server, boss, workers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve CSI on " + socket + ": " + e.getMessage(), e);
        }
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", socket, e.getMessage());
        }
    }
}

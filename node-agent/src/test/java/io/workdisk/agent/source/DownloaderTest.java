package io.workdisk.agent.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.retry.RetryPolicy;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP seed sources against a real local HTTP server that misbehaves on purpose. */
class DownloaderTest {
    static final byte[] IMAGE = "pretend this is a rootfs image".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    HttpServer server;
    final CountDownLatch release = new CountDownLatch(1);
    final Downloader downloader = new Downloader(Duration.ofSeconds(1), RetryPolicy.immediate(2));

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/image", ex -> {
            ex.sendResponseHeaders(200, IMAGE.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(IMAGE);
            }
        });
        server.createContext("/loop", ex -> {
            ex.getResponseHeaders().add("Location", "/loop");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/silent", ex -> {
            await(release); // accepts the request and never answers
            ex.close();
        });
        server.createContext("/trickle", ex -> {
            ex.sendResponseHeaders(200, 1 << 20);
            OutputStream out = ex.getResponseBody();
            out.write(new byte[1000]);
            out.flush();
            await(release); // sends a little, then nothing more
            ex.close();
        });
        server.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    void assertNothingLeft() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no partial download left").isEmpty();
        }
    }

    @Test
    void aGoodImageIsKeptWithItsChecksumChecked() throws Exception {
        Path got = downloader.download(url("/image"), sha256(IMAGE), dir);
        assertThat(got).hasBinaryContent(IMAGE);
    }

    @Test
    void aWrongChecksumIsDiscarded() throws Exception {
        assertThatThrownBy(() -> downloader.download(url("/image"), "0".repeat(64), dir))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("not the expected " + "0".repeat(64))
                .hasMessageContaining("discarded");
        assertNothingLeft();
    }

    @Test
    void aRedirectLoopEnds() throws Exception {
        assertThatThrownBy(() -> downloader.download(url("/loop"), sha256(IMAGE), dir))
                .isInstanceOfSatisfying(
                        EngineException.class, e -> assertThat(e.problem()).isEqualTo(Problem.SOURCE_UNAVAILABLE))
                .hasMessageContaining("HTTP 302")
                .hasMessageContaining("redirect loop");
        assertNothingLeft();
    }

    @Test
    void aServerThatNeverAnswersIsAbandoned() throws Exception {
        assertThatThrownBy(() -> downloader.download(url("/silent"), sha256(IMAGE), dir))
                .hasMessageContaining("sent no response within 1s")
                .hasMessageContaining("after 2 attempts");
        assertNothingLeft();
    }

    @Test
    void aServerThatStallsMidBodyIsAbandonedAndThePartialFileRemoved() throws Exception {
        assertThatThrownBy(() -> downloader.download(url("/trickle"), sha256(IMAGE), dir))
                .hasMessageContaining("stalled: no data for 1s");
        assertNothingLeft();
    }

    @Test
    void aMissingImageIsNamedWithItsStatus() throws Exception {
        assertThatThrownBy(() -> downloader.download(url("/missing"), sha256(IMAGE), dir))
                .hasMessageContaining("answered HTTP 404");
    }

    @Test
    void onlyHttpAndHttpsWithAHostAreFetched() {
        for (String url : new String[] {"file:///etc/shadow", "ftp://example.com/x", "http:///no-host", "not a url"}) {
            assertThatThrownBy(() -> downloader.download(url, "0".repeat(64), dir))
                    .as(url)
                    .isInstanceOfSatisfying(EngineException.class, e -> {
                        assertThat(e.problem()).isEqualTo(Problem.INVALID_PATH);
                        assertThat(e.problem().retryable()).isFalse();
                    });
        }
    }
}

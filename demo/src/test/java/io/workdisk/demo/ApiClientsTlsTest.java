package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.ApiClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's and agent's client speaks ChaCha20-Poly1305 with the real kube-apiserver, which on its own
 * picks AES-GCM: under C1 only, the programs' JIT, AES-GCM has no intrinsics and costs them 4.6 times the CPU.
 */
@ExtendWith(SharedApiServer.class)
class ApiClientsTlsTest {
    @Test
    void theServerAgreesToChaCha20WhenTheClientListsItFirst(RealApiServer api) throws Exception {
        Config config = Config.fromKubeconfig(api.kubeconfigYaml());

        assertThat(negotiated(api, ApiClients.sslParameters(config))).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
        // the control: with the JDK's own order the same server picks AES-GCM, so the line above can fail
        assertThat(negotiated(api, new SSLParameters(null, new String[] {"TLSv1.3"})))
                .isEqualTo("TLS_AES_128_GCM_SHA256");
    }

    @Test
    void theProgramsClientNegotiatesChaCha20(RealApiServer api) throws Exception {
        Config config = Config.fromKubeconfig(api.kubeconfigYaml());

        List<String> suites = handshakes(() -> {
            try (KubernetesClient client = ApiClients.connect(config)) {
                assertThat(client.namespaces().withName("default").get()).isNotNull();
            }
        });

        assertThat(suites).isNotEmpty().containsOnly("TLS_CHACHA20_POLY1305_SHA256");
    }

    /** The cipher suites of the TLS handshakes this JVM made while {@code work} ran, from its flight recorder. */
    private static List<String> handshakes(Runnable work) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.TLSHandshake");
            recording.start();
            work.run();
            recording.stop();
            Path file = Files.createTempFile("tls-handshakes", ".jfr");
            try {
                recording.dump(file);
                return RecordingFile.readAllEvents(file).stream()
                        .map(e -> e.getString("cipherSuite"))
                        .toList();
            } finally {
                Files.delete(file);
            }
        }
    }

    /** The suite a JDK client with these parameters and the server agree on. */
    private static String negotiated(RealApiServer api, SSLParameters parameters) throws Exception {
        SSLContext trustingAll = SSLContext.getInstance("TLS");
        trustingAll.init(null, new TrustManager[] {new TrustingAll()}, new SecureRandom());
        HttpClient http = HttpClient.newBuilder()
                .sslContext(trustingAll)
                .sslParameters(parameters)
                .version(HttpClient.Version.HTTP_1_1) // as Fabric8's client speaks to the server
                .build();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(api.url() + "/version")).build(),
                HttpResponse.BodyHandlers.ofString());
        // anonymous, so the server refuses the request (403); the handshake before it is what counts
        return response.sslSession().orElseThrow().getCipherSuite();
    }

    /** Only the cipher is under test here, not the server's certificate. */
    private static final class TrustingAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

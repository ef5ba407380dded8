package io.workdisk.api;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.http.HttpClient;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLParameters;

/**
 * The Kubernetes client of the operator and the agent: configured from the environment as Fabric8 does
 * (in-cluster service account, else kubeconfig), with one choice of their own, TLS that prefers
 * ChaCha20-Poly1305.
 *
 * <p>Both run with C1 only ({@code -XX:TieredStopAtLevel=1}, the images' flags), which keeps their memory and
 * compile time down but leaves AES-GCM without its intrinsics: on the development VM AES-GCM encrypts 32 MB/s
 * under C1 against ChaCha20-Poly1305's 150 MB/s, and at 1,000 volumes AES-GCM took a fifth of the operator's CPU
 * (its flight recording, docs/benchmarks.md). A Go API server picks ChaCha20 for a client that lists it first
 * (it takes that client to lack AES hardware); AES-GCM stays on the list for servers without ChaCha20.
 */
public final class ApiClients {
    /** TLS 1.3's suites, then TLS 1.2's forward-secret AEAD suites: ChaCha20 first in each. */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

    private ApiClients() {}

    /** A client of the API server the environment names. */
    public static KubernetesClient connect() {
        return connect(new ConfigBuilder().build());
    }

    /** A client of the API server {@code config} names. */
    public static KubernetesClient connect(Config config) {
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory() {
                    @Override
                    protected void additionalConfig(HttpClient.Builder builder) {
                        // after Fabric8 set its own parameters, which name the protocols only
                        builder.sslParameters(sslParameters(config));
                    }
                })
                .build();
    }

    /** ChaCha20 first, and the TLS versions {@code config} allows (Fabric8's own default: 1.3 and 1.2). */
    public static SSLParameters sslParameters(Config config) {
        TlsVersion[] versions = config.getTlsVersions() == null || config.getTlsVersions().length == 0
                ? new TlsVersion[] {TlsVersion.TLS_1_3, TlsVersion.TLS_1_2}
                : config.getTlsVersions();
        String[] protocols = Arrays.stream(versions).map(TlsVersion::javaName).toArray(String[]::new);
        return new SSLParameters(CIPHER_SUITES.toArray(String[]::new), protocols);
    }
}

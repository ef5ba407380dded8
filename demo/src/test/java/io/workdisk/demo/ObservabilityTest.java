package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.operator.WorkdiskOperator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Metrics, health and readiness of the operator and the agent, and what a node without e2fsprogs says. */
@ExtendWith(SharedApiServer.class)
class ObservabilityTest {
    @TempDir
    Path tmp;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsHealthAndReadinessOnBothAndANodeWithoutToolsSaysWhy(RealApiServer api) throws Exception {
        WorkdiskOperator.Settings settings = new WorkdiskOperator.Settings(
                        "workdisk-system", 1.0, Duration.ofSeconds(10), Duration.ofSeconds(5), 4)
                .withMetricsPort(0);
        try (LocalCluster cluster = new LocalCluster(api, settings, Clock.systemUTC())) {
            KubernetesClient kube = cluster.client();
            NodeAgent good = cluster.startAgent(new NodeAgent.Settings(
                    "node-a", tmp.resolve("node-a"), List.of(), null, 2, Duration.ofSeconds(1), 0));
            Path emptyBin = Files.createDirectories(tmp.resolve("empty-bin"));
            NodeAgent broken = cluster.startAgent(
                    new NodeAgent.Settings(
                            "node-b", tmp.resolve("node-b"), List.of(), null, 2, Duration.ofSeconds(1), 0),
                    new E2fsTools(List.of(emptyBin), Duration.ofMinutes(1)));
            cluster.startOperator();

            kube.resource(Manifests.disk("m", "1Gi")).create();
            kube.resource(Manifests.disk(
                            "default", "on-broken", WorkDiskSpec.ofSize("1Gi").withNodeName("node-b")))
                    .create();
            assertThat(Waits.phase(kube, "m", DiskPhase.Ready).getStatus().nodeName())
                    .as("nothing is placed on a node whose agent cannot work")
                    .isEqualTo("node-a");

            String agentMetrics = get(good.metricsPort(), "/metrics").body();
            assertThat(agentMetrics)
                    .contains("workdisk_agent_task_seconds_count{result=\"Succeeded\",type=\"Format\"} 1")
                    .contains("workdisk_agent_written_bytes_total{type=\"Format\"}")
                    .contains("workdisk_agent_tasks_waiting 0")
                    .contains("workdisk_agent_tasks_running 0");
            assertThat(get(good.metricsPort(), "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(good.metricsPort(), "/readyz").statusCode()).isEqualTo(200);

            HttpResponse<String> notReady = get(broken.metricsPort(), "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("ToolsMissing").contains("mkfs.ext4");
            WorkNode record = kube.resources(WorkNode.class).withName("node-b").get();
            assertThat(record.getStatus().conditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("ToolsMissing");
            });
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(kube.resources(WorkDisk.class)
                                    .inNamespace("default")
                                    .withName("on-broken")
                                    .get()
                                    .getStatus()
                                    .conditions())
                            .anyMatch(c -> c.getType().equals("Ready")
                                    && c.getReason().equals("NodeNotReady")
                                    && c.getMessage().contains("mkfs.ext4")));

            int operatorPort = cluster.operatorMetricsPort();
            assertThat(get(operatorPort, "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(operatorPort, "/metrics").body()).contains("operator_sdk");
            assertThat(get(operatorPort, "/healthz").body()).isEqualTo("ok\n");
        }
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.operator.WorkdiskOperator;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `workdisk operator` as its own process, as in a pod: it takes the Lease, exits when another replica
 * takes it away (its placement memory must not outlive its leadership), and stops promptly on SIGTERM.
 */
@ExtendWith(SharedApiServer.class)
class OperatorProcessTest {
    @TempDir
    Path tmp;

    Process start(RealApiServer api) throws Exception {
        Path kubeconfig = api.writeKubeconfig(tmp.resolve("kubeconfig"));
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.workdisk.operator.OperatorCommand",
                "--namespace",
                "workdisk-system",
                "--metrics-port",
                "-1");
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("POD_NAME", "op-under-test");
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("operator.log").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    Lease lease(KubernetesClient kube) {
        return kube.leases()
                .inNamespace("workdisk-system")
                .withName("workdisk-operator")
                .get();
    }

    @Test
    void losingTheLeaseEndsTheProcessAndSigtermStopsIt(RealApiServer api) throws Exception {
        try (LocalCluster cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings(
                        "workdisk-system", 1.0, Duration.ofSeconds(30), Duration.ofSeconds(30), 2),
                Clock.systemUTC())) {
            KubernetesClient kube = cluster.client();
            Process first = start(api);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> lease(kube) != null
                            && lease(kube).getSpec().getHolderIdentity().startsWith("op-under-test"));

            // another replica takes the lease (retrying while the holder's renewals conflict with us)
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                kube.leases()
                        .inNamespace("workdisk-system")
                        .withName("workdisk-operator")
                        .edit(l -> {
                            l.getSpec().setHolderIdentity("another-replica");
                            l.getSpec().setRenewTime(ZonedDateTime.now());
                            l.getSpec().setAcquireTime(ZonedDateTime.now());
                            return l;
                        });
                return true;
            });
            assertThat(first.waitFor(60, TimeUnit.SECONDS))
                    .as(Files.readString(tmp.resolve("operator.log")))
                    .isTrue();
            assertThat(first.exitValue())
                    .as("a deposed leader exits to be restarted")
                    .isEqualTo(1);

            Process second = start(api);
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> lease(kube).getSpec().getHolderIdentity().startsWith("op-under-test"));
            second.destroy(); // SIGTERM
            assertThat(second.waitFor(20, TimeUnit.SECONDS))
                    .as("stops promptly on SIGTERM:\n%s", Files.readString(tmp.resolve("operator.log")))
                    .isTrue();
        }
    }
}

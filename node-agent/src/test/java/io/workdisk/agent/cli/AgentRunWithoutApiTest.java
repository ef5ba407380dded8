package io.workdisk.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.Shell;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent run} with no API server to talk to says so in one line and exits 1, as the operator does,
 * instead of the stack traces of every informer giving up.
 */
class AgentRunWithoutApiTest {
    @TempDir
    Path tmp;

    @Test
    void anApiServerThatIsNotThereIsOneLine() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                """.formatted(port));
        Shell.Result r = Shell.run(List.of(
                "env",
                "KUBECONFIG=" + kubeconfig,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AgentCli.class.getName(),
                "run",
                "--node",
                "n",
                "--metrics-port",
                "-1",
                "--root",
                Files.createDirectories(tmp.resolve("data")).toString()));
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr().lines())
                .containsExactly("workdisk: cannot use the Kubernetes API at https://127.0.0.1:" + port
                        + "/ (set KUBECONFIG or run in a cluster): connection refused");
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real kubectl binary, pointed at a {@link RealApiServer} through its administrator's kubeconfig. It is
 * looked up on PATH and in .tools/kubectl (where .ci/run puts it); the real API server's fixture needs it
 * too, so a machine that runs these tests has it.
 */
final class Kubectl {
    private final Path binary;
    private final Path kubeconfig;

    Kubectl(RealApiServer api, Path dir) throws IOException {
        this.binary = Stream.concat(Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "kubectl")),
                        Stream.of(Path.of("..", ".tools", "kubectl", "kubectl").toAbsolutePath().normalize()))
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("kubectl not found on PATH or in .tools/kubectl (bash .ci/run fetches it)"));
        this.kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    }

    /** kubectl's standard output; fails with its standard error if it exits non-zero. */
    String ok(String... args) {
        Shell.Result r = run(args);
        assertThat(r.exitCode()).as("kubectl %s: %s", String.join(" ", args), r.stderr()).isZero();
        return r.stdout();
    }

    Shell.Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return Shell.run(command);
    }
}

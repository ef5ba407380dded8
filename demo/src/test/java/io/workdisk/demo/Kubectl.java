package io.workdisk.demo;

import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The real kubectl binary, talking to one cluster through a kubeconfig file. */
record Kubectl(Path binary, Path kubeconfig) {
    /** The repository's kubectl (.tools/kubectl, where .ci/run puts it), else one on PATH. */
    static Optional<Path> find() {
        return Stream.concat(
                        Stream.of(Path.of("..", ".tools", "kubectl", "kubectl")
                                .toAbsolutePath()
                                .normalize()),
                        Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "kubectl")))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * kubectl as the administrator of {@code api}, its kubeconfig written into {@code dir}; the real API
     * server's fixture needs a kubectl too, so a machine that runs these tests has one.
     */
    static Kubectl of(RealApiServer api, Path dir) throws IOException {
        Path binary = find().orElseThrow(() ->
                new AssertionError("kubectl not found in .tools/kubectl or on PATH (bash .ci/run fetches it)"));
        return new Kubectl(binary, api.writeKubeconfig(dir.resolve("kubeconfig")));
    }

    Shell.Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return Shell.run(command);
    }

    /** Runs kubectl and returns its output, failing with what it said when it exits with anything but 0. */
    String ok(String... args) {
        Shell.Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError(
                    "kubectl " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.stdout() + r.stderr());
        }
        return r.stdout();
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.workdisk.DiskSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * WorkDisks kept in files and applied with the real kubectl, the way GitOps tools and people apply them:
 * server-side, client-side, and one object switching between the two as kubectl documents it. Applying
 * an unchanged file again changes nothing (no new generation, kubectl reports no change and no conflict,
 * kubectl diff finds nothing) however much the operator has written to status meanwhile, only kubectl owns
 * spec fields, and a grown size in the file resizes the disk in place.
 */
@ExtendWith(SharedApiServer.class)
class GitOpsApplyTest {
    @TempDir
    Path tmp;

    Path repository;
    Kubectl kubectl;
    LocalCluster cluster;
    KubernetesClient kube;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        Optional<Path> binary = Kubectl.find();
        Requirements.need(binary.isPresent(), "kubectl is not in .tools/kubectl nor on PATH (bash .ci/run fetches it)");
        kubectl = new Kubectl(binary.get(), api.writeKubeconfig(tmp.resolve("kubeconfig")));
        repository = Files.createDirectories(tmp.resolve("repository"));
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        kube = cluster.client();
        cluster.addNode(
                "node-a",
                Map.of(),
                tmp.resolve("node-a"),
                List.of(Files.createDirectories(tmp.resolve("images"))),
                null);
        cluster.startOperator();
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void serverSideApplyMakesTheDiskReAppliesAsNoChangeAndGrowsIt() throws Exception {
        Path file = manifest("ssa", "1Gi");
        assertThat(kubectl.ok("apply", "--server-side", "-f", file.toString()))
                .isEqualTo("workdisk.workdisk.io/ssa serverside-applied\n");
        WorkDisk made = Waits.phase(kube, "ssa", DiskPhase.Ready);

        assertReappliedAsNoChange(file, Apply.SERVER_SIDE);
        assertOnlyKubectlOwnsSpec("ssa");

        assertGrowsInPlace(made, manifest("ssa", "2Gi"), Apply.SERVER_SIDE);
        assertOnlyKubectlOwnsSpec("ssa");
    }

    @Test
    void clientSideApplyMakesTheDiskReAppliesAsUnchangedAndGrowsIt() throws Exception {
        Path file = manifest("csa", "1Gi");
        assertThat(kubectl.ok("apply", "-f", file.toString())).isEqualTo("workdisk.workdisk.io/csa created\n");
        WorkDisk made = Waits.phase(kube, "csa", DiskPhase.Ready);

        assertReappliedAsNoChange(file, Apply.CLIENT_SIDE);
        assertOnlyKubectlOwnsSpec("csa");

        assertGrowsInPlace(made, manifest("csa", "2Gi"), Apply.CLIENT_SIDE);
        assertOnlyKubectlOwnsSpec("csa");
    }

    /**
     * kubectl's documented paths between the two: --server-side takes over an object client-side apply
     * made, and plain apply takes it back, because kubectl's server-side apply keeps the last-applied
     * annotation up to date.
     */
    @Test
    void oneDiskMovesFromClientSideToServerSideApplyAndBack() throws Exception {
        Path file = manifest("both", "1Gi");
        kubectl.ok("apply", "-f", file.toString());
        WorkDisk made = Waits.phase(kube, "both", DiskPhase.Ready);

        assertReappliedAsNoChange(file, Apply.SERVER_SIDE); // the first server-side apply of it
        assertThat(managers("both"))
                .as("server-side apply took the fields over from client-side apply")
                .doesNotContain("kubectl-client-side-apply");
        WorkDisk grown = assertGrowsInPlace(made, manifest("both", "2Gi"), Apply.SERVER_SIDE);

        // back to client-side apply: kubectl rewrites the last-applied annotation in its own form (with
        // "annotations":{} in it) and says "configured" once; the spec and generation stay as they were
        WorkDisk before = Waits.get(kube, "both");
        kubectl.ok(Apply.CLIENT_SIDE.apply(manifest("both", "2Gi")));
        WorkDisk after = Waits.get(kube, "both");
        assertThat(after.getMetadata().getGeneration())
                .isEqualTo(before.getMetadata().getGeneration());
        assertThat(after.getSpec()).isEqualTo(before.getSpec());
        assertReappliedAsNoChange(manifest("both", "2Gi"), Apply.CLIENT_SIDE);
        assertGrowsInPlace(grown, manifest("both", "3Gi"), Apply.CLIENT_SIDE);
        assertOnlyKubectlOwnsSpec("both");
    }

    enum Apply {
        SERVER_SIDE,
        CLIENT_SIDE;

        String[] apply(Path file) {
            return this == SERVER_SIDE
                    ? new String[] {"apply", "--server-side", "-f", file.toString()}
                    : new String[] {"apply", "-f", file.toString()};
        }

        String[] diff(Path file) {
            return this == SERVER_SIDE
                    ? new String[] {"diff", "--server-side", "-f", file.toString()}
                    : new String[] {"diff", "-f", file.toString()};
        }

        /** What kubectl prints for an apply that changes nothing. */
        String noChange(String name) {
            return "workdisk.workdisk.io/" + name + (this == SERVER_SIDE ? " serverside-applied\n" : " unchanged\n");
        }
    }

    /** The file as a repository holds it: what a user writes, nothing the cluster adds. */
    Path manifest(String name, String size) throws IOException {
        return Files.writeString(repository.resolve(name + ".yaml"), """
                apiVersion: workdisk.io/v1alpha1
                kind: WorkDisk
                metadata:
                  name: %s
                  namespace: default
                spec:
                  size: %s
                """.formatted(name, size));
    }

    /** Applying the file again, after the operator wrote status, is no change and no conflict. */
    void assertReappliedAsNoChange(Path file, Apply how) {
        String name = file.getFileName().toString().replace(".yaml", "");
        WorkDisk before = Waits.get(kube, name);
        assertThat(before.getStatus()).as("the operator has written status").isNotNull();

        assertThat(kubectl.ok(how.apply(file))).isEqualTo(how.noChange(name));
        Shell.Result diff = kubectl.run(how.diff(file));
        assertThat(diff.exitCode())
                .as("kubectl diff finds nothing to change:\n%s%s", diff.stdout(), diff.stderr())
                .isZero();

        WorkDisk after = Waits.get(kube, name);
        assertThat(after.getMetadata().getGeneration())
                .as("no new generation")
                .isEqualTo(before.getMetadata().getGeneration());
        assertThat(after.getSpec()).isEqualTo(before.getSpec());
    }

    /** The grown file applied: the same image (path, filesystem UUID) grows to the new size and is Ready. */
    WorkDisk assertGrowsInPlace(WorkDisk before, Path grownFile, Apply how) {
        String name = before.getMetadata().getName();
        kubectl.ok(how.apply(grownFile));
        long wanted = DiskSize.filesystemBytes(
                DiskSize.parse(Waits.get(kube, name).getSpec().size()).bytes());
        assertThat(wanted).isGreaterThan(before.getStatus().capacityBytes());
        // applied again while the operator is resizing and writing status: still no conflict
        assertThat(kubectl.ok(how.apply(grownFile))).isEqualTo(how.noChange(name));
        WorkDisk grown = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> Waits.get(kube, name),
                        d -> d.getStatus() != null
                                && d.getStatus().phase() == DiskPhase.Ready
                                && Long.valueOf(wanted).equals(d.getStatus().capacityBytes())
                                && d.getMetadata()
                                        .getGeneration()
                                        .equals(d.getStatus().observedGeneration()));
        assertThat(grown.getStatus().filesystemUUID())
                .isEqualTo(before.getStatus().filesystemUUID());
        assertThat(grown.getStatus().path()).isEqualTo(before.getStatus().path());
        assertThat(grown.getStatus().lastOperation().type()).hasToString("Resize");
        assertReappliedAsNoChange(grownFile, how);
        return grown;
    }

    List<String> managers(String name) {
        return Waits.get(kube, name).getMetadata().getManagedFields().stream()
                .map(ManagedFieldsEntry::getManager)
                .toList();
    }

    /** Spec is the user's: no field of it may be owned by the operator (it would fight a GitOps tool over it). */
    void assertOnlyKubectlOwnsSpec(String name) {
        List<ManagedFieldsEntry> entries = Waits.get(kube, name).getMetadata().getManagedFields();
        assertThat(entries)
                .filteredOn(e -> e.getFieldsV1() != null
                        && e.getFieldsV1().getAdditionalProperties().containsKey("f:spec"))
                .as("managers of spec fields: %s", entries)
                .isNotEmpty()
                .allMatch(e -> e.getManager().startsWith("kubectl"));
    }
}

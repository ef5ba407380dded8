package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Argo CD health checks of docs/argocd, run by a real Lua 5.1 interpreter over every status the real
 * operator wrote on the real API server, from creation to deletion; each of those statuses also against
 * kstatus's rules, which Flux's {@code wait: true} applies, so that both tools agree with the operator.
 */
@ExtendWith(SharedApiServer.class)
class GitOpsHealthTest {
    @TempDir
    Path tmp;

    LocalCluster cluster;
    KubernetesClient kube;
    Path images;
    ArgoCdHealth argo;
    ObjectHistory disks;
    ObjectHistory seeds;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        argo = new ArgoCdHealth(tmp);
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        kube = cluster.client();
        images = Rootfs.ofFixture(tmp).getParent();
        for (String node : List.of("node-a", "node-b")) {
            cluster.addNode(node, Map.of("zone", node), tmp.resolve(node), List.of(images), null);
        }
        disks = ObjectHistory.of(kube, "WorkDisk");
        seeds = ObjectHistory.of(kube, "WorkSeed");
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {disks, seeds, cluster}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void aDiskIsHealthyOnlyWhenReadyForItsCurrentSpec() throws Exception {
        kube.resource(Manifests.disk(
                        "default", "grow", WorkDiskSpec.ofSize("256Mi").withNodeName("node-a")))
                .create();
        JsonNode created = disk("grow");
        assertThat(argo.of(created)).isEqualTo(progressing("Waiting for the workdisk operator to report on this disk"));
        // kstatus's known blind spot: an object without status or conditions looks Current to it
        assertThat(Kstatus.compute(created).status()).isEqualTo(Kstatus.Status.Current);

        cluster.startOperator();
        Waits.phase(kube, "grow", DiskPhase.Ready);
        List<JsonNode> made = disks.through(disk("grow"));
        assertEveryVersionAgrees(made);
        assertThat(statuses(made)).as("made: on its way, then Healthy").containsExactly("Progressing", "Healthy");
        assertThat(healths(made)).contains("Progressing (Creating: formatting the disk on node-a)");
        assertThat(argo.of(disk("grow")).message()).startsWith("Ready: the disk is at " + tmp.resolve("node-a"));

        // grown while the operator is down: the status is of the old spec, so the disk is not done
        cluster.stopOperator();
        edit("grow", s -> s.withSize("512Mi"));
        JsonNode pending = disk("grow");
        assertThat(argo.of(pending).status()).isEqualTo("Progressing");
        assertThat(argo.of(pending).message())
                .startsWith("Generation 2 not yet seen by the workdisk operator (its status is of generation 1)")
                .contains("; last: Ready: the disk is at");
        assertAgrees(pending);

        cluster.startOperator();
        await().atMost(Duration.ofSeconds(60)).until(() -> capacity("grow") == 512L << 20 && isHealthy("grow"));
        List<JsonNode> growing = disks.between(pending, disk("grow"));
        assertEveryVersionAgrees(growing);
        assertThat(statuses(growing)).containsExactly("Progressing", "Healthy");
        assertThat(healths(growing)).contains("Progressing (Resizing: growing to 512Mi on node-a)");

        // a resize the agent refuses for good: the disk stays as it was, and someone must act
        Path image = Path.of(disk("grow").path("status").path("path").asText());
        Shell.ok("debugfs", "-w", "-R", "sif <2> links_count 7", image.toString());
        edit("grow", s -> s.withSize("768Mi"));
        JsonNode refused = awaitDisk("grow", o -> argo.of(o).status().equals("Degraded"));
        assertThat(argo.of(refused).message())
                .startsWith("ResizeFailed: resize to 768Mi failed: ")
                .contains("repair it with e2fsck -f before growing it");
        assertEveryVersionAgrees(disks.through(refused));

        // deleting waits for the node's agent to remove the image
        NodeAgent.Settings settings = cluster.stopAgent("node-a");
        kube.resources(WorkDisk.class).inNamespace("default").withName("grow").delete();
        JsonNode deleting = awaitDisk("grow", o -> readyReason(o).equals("Deleting"));
        assertThat(argo.of(deleting)).isEqualTo(progressing("Deleting: removing the image from node-a"));
        assertThat(Kstatus.compute(deleting).status()).isEqualTo(Kstatus.Status.Terminating);
        cluster.startAgent(settings);
        await().atMost(Duration.ofSeconds(60)).until(() -> disk("grow") == null);
        await().alias("the disk seen deleted")
                .atMost(Duration.ofSeconds(10))
                .until(() -> beingDeleted(disks.of("grow")).stream()
                        .anyMatch(o -> readyReason(o).equals("Deleted")));
        assertThat(beingDeleted(disks.of("grow"))).allSatisfy(o -> {
            assertThat(argo.of(o).status()).isEqualTo("Progressing");
            assertThat(argo.of(o).message())
                    .isIn(
                            "Deleting: waiting for the workdisk operator to remove the image (or retain it) first",
                            "Deleting: removing the image from node-a",
                            "Deleted: image removed from node-a");
            assertThat(Kstatus.compute(o).status()).isEqualTo(Kstatus.Status.Terminating);
        });
    }

    @Test
    void aDiskWaitingForItsSeedIsOnItsWayAndOneWhoseNodeIsLostIsDegraded() {
        cluster.startOperator();
        kube.resource(Manifests.seed("missing", images.resolve("no-such-rootfs.ext4")))
                .create();
        kube.resource(Manifests.seeded("waits", "256Mi", "missing")).create();
        JsonNode waits = awaitDisk("waits", o -> readyReason(o).equals("SeedNotReady"));
        assertThat(argo.of(waits).status()).isEqualTo("Progressing");
        assertThat(argo.of(waits).message()).isEqualTo("SeedNotReady: the seed is not ready on any matching node yet");
        assertAgrees(waits);
        JsonNode failed = awaitSeed("missing", o -> readyReason(o).equals("BuildFailed"));
        assertThat(argo.of(failed).status()).isEqualTo("Degraded");
        assertThat(argo.of(failed).message()).contains("no-such-rootfs.ext4").endsWith("(ready on 0/2 nodes)");
        assertAgrees(failed);

        kube.resource(Manifests.disk(
                        "default", "orphan", WorkDiskSpec.ofSize("256Mi").withNodeName("node-b")))
                .create();
        awaitDisk("orphan", o -> argo.of(o).status().equals("Healthy"));
        cluster.stopAgent("node-b");
        JsonNode lost = awaitDisk("orphan", o -> readyReason(o).equals("NodeLost"));
        assertThat(argo.of(lost).status()).isEqualTo("Degraded");
        assertThat(argo.of(lost).message()).startsWith("NodeLost: ").endsWith("the disk is not recreated elsewhere");
        assertEveryVersionAgrees(disks.through(lost));
        assertEveryVersionAgrees(disks.through(waits));
        assertEveryVersionAgrees(seeds.through(failed));
    }

    @Test
    void aSeedIsHealthyOnlyWhenBuiltOnEveryNodeFromItsCurrentSpec() {
        kube.resource(Manifests.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        JsonNode created = seed("ubuntu");
        assertThat(argo.of(created)).isEqualTo(progressing("Waiting for the workdisk operator to report on this seed"));

        cluster.startOperator();
        List<JsonNode> built =
                seeds.through(awaitSeed("ubuntu", o -> argo.of(o).status().equals("Healthy")));
        assertEveryVersionAgrees(built);
        assertThat(statuses(built)).containsExactly("Progressing", "Healthy");
        assertThat(healths(built))
                .containsSubsequence(
                        "Progressing (Building: 0 of 2 nodes have the seed)",
                        "Healthy (Ready: the seed is on all 2 matching node(s))");

        cluster.stopOperator();
        kube.resources(WorkSeed.class).withName("ubuntu").edit(s -> {
            s.setSpec(new WorkSeedSpec(s.getSpec().source(), "/root/.ssh", null, null));
            return s;
        });
        JsonNode pending = seed("ubuntu");
        assertThat(argo.of(pending).message())
                .startsWith("Generation 2 not yet seen by the workdisk operator (its status is of generation 1)");
        assertThat(argo.of(pending).status()).isEqualTo("Progressing");
        assertAgrees(pending);

        cluster.startOperator();
        JsonNode rebuiltSeed = awaitSeed(
                "ubuntu",
                o -> o.path("status").path("observedGeneration").asLong() == 2
                        && argo.of(o).status().equals("Healthy"));
        List<JsonNode> rebuilt = seeds.between(pending, rebuiltSeed);
        assertEveryVersionAgrees(rebuilt);
        assertThat(statuses(rebuilt)).containsExactly("Progressing", "Healthy");

        WorkSeed nowhere = Manifests.seed("nowhere", images.resolve("rootfs.ext4"));
        nowhere.setSpec(new WorkSeedSpec(nowhere.getSpec().source(), null, null, Map.of("zone", "mars")));
        kube.resource(nowhere).create();
        JsonNode none = awaitSeed("nowhere", o -> readyReason(o).equals("NoNodes"));
        assertThat(argo.of(none).status()).isEqualTo("Progressing");
        assertAgrees(none);

        kube.resources(WorkSeed.class).withName("ubuntu").delete();
        await().atMost(Duration.ofSeconds(60)).until(() -> seed("ubuntu") == null);
        await().alias("the seed seen being deleted")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !beingDeleted(seeds.of("ubuntu")).isEmpty());
        assertThat(beingDeleted(seeds.of("ubuntu"))).allSatisfy(o -> {
            assertThat(argo.of(o).status()).isEqualTo("Progressing");
            assertThat(Kstatus.compute(o).status()).isEqualTo(Kstatus.Status.Terminating);
        });
    }

    static List<JsonNode> beingDeleted(List<JsonNode> versions) {
        return versions.stream()
                .filter(o -> o.path("metadata").has("deletionTimestamp"))
                .toList();
    }

    // ---- what both tools must say ----

    /** Argo CD's health and kstatus's status of the same object mean the same. */
    void assertAgrees(JsonNode object) {
        ArgoCdHealth.Health health = argo.of(object);
        Kstatus.Result kstatus = Kstatus.compute(object);
        List<Kstatus.Status> agreeing = switch (health.status()) {
            case "Healthy" -> List.of(Kstatus.Status.Current);
            case "Degraded" -> List.of(Kstatus.Status.Failed);
            default -> List.of(Kstatus.Status.InProgress, Kstatus.Status.Terminating);
        };
        assertThat(kstatus.status())
                .as("kstatus %s for Argo CD's %s of %s", kstatus, health, object.path("status"))
                .isIn(agreeing);
    }

    /** Every version the operator wrote; the one written at creation (no status yet) is kstatus's blind spot. */
    void assertEveryVersionAgrees(List<JsonNode> versions) {
        assertThat(versions).isNotEmpty();
        versions.stream().filter(o -> o.has("status")).forEach(this::assertAgrees);
    }

    List<String> healths(List<JsonNode> versions) {
        return versions.stream().map(o -> argo.of(o).toString()).distinct().toList();
    }

    /** The health statuses the versions went through, each once in a row: e.g. Progressing, Healthy. */
    List<String> statuses(List<JsonNode> versions) {
        List<String> out = new ArrayList<>();
        for (JsonNode o : versions) {
            String status = argo.of(o).status();
            if (out.isEmpty() || !out.get(out.size() - 1).equals(status)) {
                out.add(status);
            }
        }
        return out;
    }

    static ArgoCdHealth.Health progressing(String message) {
        return new ArgoCdHealth.Health("Progressing", message);
    }

    // ---- objects as the API server serves them ----

    JsonNode disk(String name) {
        return json(kube.genericKubernetesResources(ApiGroup.GROUP + "/" + ApiGroup.VERSION, "WorkDisk")
                .inNamespace("default")
                .withName(name)
                .get());
    }

    JsonNode seed(String name) {
        return json(kube.genericKubernetesResources(ApiGroup.GROUP + "/" + ApiGroup.VERSION, "WorkSeed")
                .withName(name)
                .get());
    }

    static JsonNode json(Object o) {
        return o == null ? null : Serialization.jsonMapper().valueToTree(o);
    }

    JsonNode awaitDisk(String name, Predicate<JsonNode> done) {
        return awaitObject(() -> disk(name), done);
    }

    JsonNode awaitSeed(String name, Predicate<JsonNode> done) {
        return awaitObject(() -> seed(name), done);
    }

    static JsonNode awaitObject(Supplier<JsonNode> get, Predicate<JsonNode> done) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    JsonNode o = get.get();
                    assertThat(o != null && done.test(o))
                            .as("%s", o == null ? "gone" : o.path("status"))
                            .isTrue();
                });
        return get.get();
    }

    static String readyReason(JsonNode o) {
        for (JsonNode c : o.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                return c.path("reason").asText();
            }
        }
        return "";
    }

    boolean isHealthy(String name) {
        return argo.of(disk(name)).status().equals("Healthy");
    }

    long capacity(String name) {
        return disk(name).path("status").path("capacityBytes").asLong();
    }

    void edit(String name, UnaryOperator<WorkDiskSpec> change) {
        Edits.edit(kube.resources(WorkDisk.class).inNamespace("default").withName(name), d -> {
            d.setSpec(change.apply(d.getSpec()));
            return d;
        });
    }
}

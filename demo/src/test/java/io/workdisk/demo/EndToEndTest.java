package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.task.HttpSource;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.ReclaimPolicy;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.task.Tasks;
import io.workdisk.operator.workdisk.DiskPlanner;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedApiServer.class)
class EndToEndTest {
    @TempDir
    Path tmp;

    LocalCluster cluster;
    KubernetesClient kube;
    Path images;
    Path sourceRoot;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        kube = cluster.client();
        images = Rootfs.ofFixture(tmp).getParent();
        sourceRoot = tmp.resolve("rootfs-tree/root");
        for (String node : List.of("node-a", "node-b")) {
            cluster.addNode(
                    node, Map.of("zone", node.equals("node-a") ? "a" : "b"), tmp.resolve(node), List.of(images), null);
        }
        cluster.startOperator();
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    WorkDisk get(String name) {
        return Waits.get(kube, name);
    }

    WorkDisk awaitPhase(String name, DiskPhase phase) {
        return Waits.phase(kube, name, phase);
    }

    @Test
    void blankDiskBecomesReady() throws Exception {
        kube.resource(Manifests.disk("blank", "1Gi"))
                .fieldManager("end-to-end-test")
                .serverSideApply();

        WorkDisk disk = awaitPhase("blank", DiskPhase.Ready);

        assertThat(disk.getStatus().nodeName()).isIn("node-a", "node-b");
        assertThat(disk.getStatus().capacityBytes()).isEqualTo(1L << 30);
        Path image = Path.of(disk.getStatus().path());
        assertThat(image).startsWith(tmp.resolve(disk.getStatus().nodeName()));
        Shell.assertFsckClean(image);
        assertThat(DebugfsTree.read(image, tmp)).containsOnlyKeys("");
        await().atMost(Duration.ofSeconds(20)).until(() -> Waits.tasksSettled(kube));
        // one Event, Ready, saying where the disk is and how long making it took; the steps before it are no news
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                kube.v1().events().inNamespace("default").list().getItems())
                        .filteredOn(e -> e.getInvolvedObject().getName().equals("blank"))
                        .extracting(e -> e.getReason())
                        .containsExactly("Ready"));
        // the operator caches objects without their managedFields, and its writes leave the server's as they were:
        // the creator's entry is still there beside the operator's status entry
        assertThat(get("blank").getMetadata().getManagedFields())
                .anyMatch(m -> m.getManager().equals("end-to-end-test"))
                .anyMatch(m -> "status".equals(m.getSubresource()));
        // the create task is kept as the record of the work: what it made and how long that took
        assertThat(kube.resources(WorkTask.class)
                        .inNamespace("default")
                        .withName(DiskPlanner.createTaskName(disk))
                        .get())
                .satisfies(t -> {
                    assertThat(t.getStatus().phase()).isEqualTo(TaskPhase.Succeeded);
                    assertThat(t.getStatus().result().filesystemUUID())
                            .isEqualTo(disk.getStatus().filesystemUUID());
                });
        assertThat(kube.v1().events().inNamespace("default").list().getItems())
                .anyMatch(e -> e.getReason().equals("Ready")
                        && e.getMessage().contains(image.toString())
                        && e.getMessage().matches(".*; Format took [0-9.]+s"));
    }

    @Test
    void seededDiskHoldsTheSeedTree() throws Exception {
        kube.resource(Manifests.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        kube.resource(Manifests.seeded("vm1", "2Gi", "ubuntu")).create();

        WorkDisk disk = awaitPhase("vm1", DiskPhase.Ready);

        Path image = Path.of(disk.getStatus().path());
        Shell.assertFsckClean(image);
        TreeAssert.assertSameTree(sourceRoot, DebugfsTree.read(image, tmp));
        WorkSeed seed = kube.resources(WorkSeed.class).withName("ubuntu").get();
        assertThat(seed.getStatus().ready()).isEqualTo("2/2");
        // a cluster-scoped object's Events live in "default" (the API server refuses them anywhere else)
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                kube.v1().events().inNamespace("default").list().getItems())
                        .anyMatch(e -> e.getInvolvedObject().getKind().equals("WorkSeed")
                                && e.getInvolvedObject().getName().equals("ubuntu")
                                && e.getReason().equals("Ready")));
    }

    String readyReason(WorkDisk d) {
        return d.getStatus().conditions().stream()
                .filter(c -> c.getType().equals("Ready"))
                .findFirst()
                .map(c -> c.getStatus() + "/" + c.getReason())
                .orElse("none");
    }

    WorkDisk awaitReady(String name, String statusAndReason) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            WorkDisk d = get(name);
            assertThat(d).isNotNull();
            assertThat(d.getStatus()).isNotNull();
            assertThat(readyReason(d)).as("%s", d.getStatus()).isEqualTo(statusAndReason);
        });
        return get(name);
    }

    void edit(String name, UnaryOperator<WorkDiskSpec> change) {
        Edits.edit(kube.resources(WorkDisk.class).inNamespace("default").withName(name), d -> {
            d.setSpec(change.apply(d.getSpec()));
            return d;
        });
    }

    static long inode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    @Test
    void growingTheSizeResizesInPlaceAndShrinkingIsRefused() throws Exception {
        kube.resource(Manifests.disk("grow", "1Gi")).create();
        WorkDisk ready = awaitPhase("grow", DiskPhase.Ready);
        Path image = Path.of(ready.getStatus().path());
        long ino = inode(image);

        edit("grow", s -> s.withSize("3Gi"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> get("grow").getStatus().capacityBytes() == 3L << 30
                        && get("grow").getStatus().phase() == DiskPhase.Ready);

        WorkDisk grown = get("grow");
        assertThat(grown.getStatus().filesystemUUID())
                .isEqualTo(ready.getStatus().filesystemUUID());
        assertThat(grown.getStatus().lastOperation().type()).hasToString("Resize");
        assertThat(inode(image)).as("grown in place, not remade").isEqualTo(ino);
        assertThat(Files.size(image)).isEqualTo(3L << 30);
        Shell.assertFsckClean(image);

        // shrinking is refused by the API server's CRD rule, before the operator sees it
        assertThatThrownBy(() -> edit("grow", s -> s.withSize("2Gi")))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("size can only grow");
        assertThat(get("grow").getSpec().size()).isEqualTo("3Gi");
        assertThat(get("grow").getStatus().capacityBytes()).isEqualTo(3L << 30);
        assertThat(Files.size(image)).isEqualTo(3L << 30);
    }

    @Test
    void deleteRemovesTheImageAndRetainKeepsIt() throws Exception {
        kube.resource(Manifests.disk(
                        "default",
                        "gone",
                        WorkDiskSpec.ofSize("1Gi").withNodeName("node-a").withReclaimPolicy(ReclaimPolicy.Delete)))
                .create();
        kube.resource(Manifests.disk(
                        "default",
                        "kept",
                        WorkDiskSpec.ofSize("1Gi").withNodeName("node-a").withReclaimPolicy(ReclaimPolicy.Retain)))
                .create();
        Path gone = Path.of(awaitPhase("gone", DiskPhase.Ready).getStatus().path());
        Path kept = Path.of(awaitPhase("kept", DiskPhase.Ready).getStatus().path());

        kube.resources(WorkDisk.class).inNamespace("default").withName("gone").delete();
        kube.resources(WorkDisk.class).inNamespace("default").withName("kept").delete();

        await().atMost(Duration.ofSeconds(60)).until(() -> get("gone") == null && get("kept") == null);
        assertThat(gone).doesNotExist();
        assertThat(kept).exists();
        Shell.assertFsckClean(kept);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> kube.resources(WorkTask.class)
                        .inAnyNamespace()
                        .list()
                        .getItems()
                        .isEmpty());
    }

    @Test
    void placementIsDeterministicLeastAllocatedAndHonoursSelectorsAndPins() throws Exception {
        kube.resource(Manifests.disk("first", "2Gi")).create();
        assertThat(awaitPhase("first", DiskPhase.Ready).getStatus().nodeName())
                .as("tie broken by name")
                .isEqualTo("node-a");
        kube.resource(Manifests.disk("second", "1Gi")).create();
        assertThat(awaitPhase("second", DiskPhase.Ready).getStatus().nodeName())
                .as("least allocated")
                .isEqualTo("node-b");
        kube.resource(Manifests.disk(
                        "default", "zoned", WorkDiskSpec.ofSize("1Gi").withNodeSelector(Map.of("zone", "a"))))
                .create();
        assertThat(awaitPhase("zoned", DiskPhase.Ready).getStatus().nodeName()).isEqualTo("node-a");
        kube.resource(Manifests.disk(
                        "default", "pinned", WorkDiskSpec.ofSize("1Gi").withNodeName("node-b")))
                .create();
        assertThat(awaitPhase("pinned", DiskPhase.Ready).getStatus().nodeName()).isEqualTo("node-b");
        kube.resource(Manifests.disk(
                        "default", "nowhere", WorkDiskSpec.ofSize("1Gi").withNodeSelector(Map.of("zone", "mars"))))
                .create();
        assertThat(awaitReady("nowhere", "False/NoMatchingNode").getStatus().phase())
                .isEqualTo(DiskPhase.Pending);
    }

    @Test
    void noCapacityWaitsAndIsPlacedWhenRoomAppears() throws Exception {
        for (String node : List.of("node-a", "node-b")) {
            var settings = cluster.stopAgent(node);
            cluster.startAgent(new NodeAgent.Settings(
                    node, settings.dataRoot(), settings.imageDirs(), 2L << 30, 2, settings.heartbeat()));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> kube.resources(WorkNode.class).list().getItems().stream()
                        .allMatch(n -> n.getStatus().capacityBytes() == 2L << 30));
        kube.resource(Manifests.disk("a", "2Gi")).create();
        kube.resource(Manifests.disk("b", "2Gi")).create();
        awaitPhase("a", DiskPhase.Ready);
        awaitPhase("b", DiskPhase.Ready);
        assertThat(List.of(get("a").getStatus().nodeName(), get("b").getStatus().nodeName()))
                .containsExactlyInAnyOrder("node-a", "node-b");

        kube.resource(Manifests.disk("c", "2Gi")).create();
        WorkDisk waiting = awaitReady("c", "False/NoCapacity");
        assertThat(waiting.getStatus().nodeName()).isNull();
        assertThat(kube.resources(WorkTask.class).inAnyNamespace().list().getItems())
                .noneMatch(t ->
                        t.getMetadata().getName().contains(waiting.getMetadata().getUid()));

        String freed = get("a").getStatus().nodeName();
        kube.resources(WorkDisk.class).inNamespace("default").withName("a").delete();
        WorkDisk placed = awaitPhase("c", DiskPhase.Ready);
        assertThat(placed.getStatus().nodeName())
                .as("placed where room appeared")
                .isEqualTo(freed);
    }

    @Test
    void aDiskWhoseNodeDisappearsIsNodeLostAndNeverRecreatedElsewhere() throws Exception {
        kube.resource(Manifests.disk(
                        "default", "orphan", WorkDiskSpec.ofSize("1Gi").withNodeName("node-b")))
                .create();
        WorkDisk ready = awaitPhase("orphan", DiskPhase.Ready);
        var settings = cluster.stopAgent("node-b");

        WorkDisk lost = awaitReady("orphan", "False/NodeLost");
        assertThat(lost.getStatus().nodeName()).isEqualTo("node-b");
        assertThat(lost.getStatus().filesystemUUID())
                .isEqualTo(ready.getStatus().filesystemUUID());
        assertThat(kube.resources(WorkTask.class).inAnyNamespace().list().getItems())
                .as("no task but the record of the one that made it")
                .extracting(t -> t.getMetadata().getName())
                .containsExactly(DiskPlanner.createTaskName(lost));

        cluster.startAgent(settings);
        WorkDisk back = awaitReady("orphan", "True/Ready");
        assertThat(back.getStatus().path()).isEqualTo(ready.getStatus().path());
        assertThat(back.getStatus().filesystemUUID())
                .isEqualTo(ready.getStatus().filesystemUUID());
    }

    @Test
    void badSpecsSayWhyAndDoNotHotLoop() throws Exception {
        // sizes that are no disk never get past the API server: its CRD rules say why
        assertThatThrownBy(
                        () -> kube.resource(Manifests.disk("junk-size", "lots")).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.size");
        assertThatThrownBy(() -> kube.resource(Manifests.disk("tiny", "1Ki")).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("64Mi");
        assertThat(get("junk-size")).isNull();
        kube.resource(Manifests.seeded("no-seed", "1Gi", "does-not-exist")).create();
        kube.resource(Manifests.disk(
                        "default", "no-node", WorkDiskSpec.ofSize("1Gi").withNodeName("node-z")))
                .create();

        awaitReady("no-seed", "False/SeedNotFound");
        awaitReady("no-node", "False/NodeNotFound");

        String version = get("no-node").getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(() -> get("no-node").getMetadata().getResourceVersion().equals(version));
        assertThat(kube.v1().events().inNamespace("default").list().getItems())
                .anyMatch(e -> e.getInvolvedObject().getName().equals("no-node")
                        && e.getReason().equals("NodeNotFound")
                        && e.getType().equals("Warning"));

        kube.resource(Manifests.seed("does-not-exist", images.resolve("rootfs.ext4")))
                .create();
        awaitPhase("no-seed", DiskPhase.Ready);
    }

    @Test
    void aSizeBelowTheSeedFailsWithTheEnginesReasonUntilTheSpecIsFixed() throws Exception {
        kube.resource(Manifests.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        kube.resource(Manifests.seeded("small", "128Mi", "ubuntu")).create();

        WorkDisk failed = awaitReady("small", "False/SizeBelowSeed");
        assertThat(failed.getStatus().phase()).isEqualTo(DiskPhase.Failed);

        edit("small", s -> s.withSize("1Gi"));
        awaitPhase("small", DiskPhase.Ready);
    }

    @Test
    void operatorRestartsMidFlightNeverRepeatFinishedWork() throws Exception {
        Map<String, Integer> created = new ConcurrentHashMap<>();
        var watch = kube.resources(WorkTask.class)
                .inAnyNamespace()
                .watch(Watchers.<WorkTask>added(
                        task -> created.merge(task.getMetadata().getName(), 1, Integer::sum)));
        kube.resource(Manifests.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        // Three restarts, each once the operator it stops has written work of its own: every round brings new
        // disks, so there is always work in flight, and the round waits for a task written after its operator
        // started (a count that only grows, not one that is true from the second round on).
        int[][] rounds = {{0, 1, 2}, {3, 4, 5}, {6, 7}};
        for (int[] round : rounds) {
            int before = created.size();
            for (int i : round) {
                kube.resource(i % 2 == 0 ? Manifests.disk("d" + i, "1Gi") : Manifests.seeded("d" + i, "1Gi", "ubuntu"))
                        .create();
            }
            await().atMost(Duration.ofSeconds(30))
                    .alias("a task written by the running operator since this round began")
                    .until(() -> created.size() > before);
            cluster.stopOperator();
            cluster.startOperator();
        }
        for (int i = 0; i < 8; i++) {
            awaitPhase("d" + i, DiskPhase.Ready);
        }
        Map<String, Long> inodes = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            inodes.put("d" + i, inode(Path.of(get("d" + i).getStatus().path())));
        }
        cluster.stopOperator();
        cluster.startOperator();
        // A change only an operator acts on, and that must not remake anything: once every disk's status
        // observes its new generation, the new operator has reconciled each of them.
        for (int i = 0; i < 8; i++) {
            edit("d" + i, s -> s.withReclaimPolicy(ReclaimPolicy.Retain));
        }
        for (int i = 0; i < 8; i++) {
            String name = "d" + i;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                WorkDisk d = get(name);
                assertThat(d.getStatus().observedGeneration())
                        .as("%s reconciled by the new operator: %s", name, d.getStatus())
                        .isEqualTo(d.getMetadata().getGeneration());
            });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> Waits.tasksSettled(kube));
        for (int i = 0; i < 8; i++) {
            WorkDisk d = get("d" + i);
            assertThat(d.getStatus().phase()).isEqualTo(DiskPhase.Ready);
            assertThat(inode(Path.of(d.getStatus().path())))
                    .as("d%d never remade", i)
                    .isEqualTo(inodes.get("d" + i));
        }
        assertThat(created)
                .as("every task was written once")
                .allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
        watch.close();
    }

    @Test
    void aReplayedCreateTaskReportsTheExistingDiskAndNeverFormatsIt() throws Exception {
        kube.resource(Manifests.disk("precious", "1Gi")).create();
        WorkDisk ready = awaitPhase("precious", DiskPhase.Ready);
        Path image = Path.of(ready.getStatus().path());
        Shell.ok("debugfs", "-w", "-R", "mkdir user-data", image.toString());
        long ino = inode(image);

        cluster.stopOperator(); // nobody will clean the replayed task up while we look at it
        WorkTask replay = Tasks.build(
                ready,
                "default",
                DiskPlanner.createTaskName(ready),
                WorkTaskSpec.format(
                        ready.getStatus().nodeName(),
                        DiskPlanner.diskPath(ready),
                        1L << 30,
                        false,
                        ready.getMetadata().getUid(),
                        1));
        // the finished create task is kept as the record of the work: it goes, and the same task comes again
        kube.resource(replay).withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> kube.resource(replay).get() == null);
        kube.resource(replay).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            WorkTask t = kube.resource(replay).get();
            return t.getStatus() != null && t.getStatus().finished();
        });

        WorkTask done = kube.resource(replay).get();
        assertThat(done.getStatus().phase()).hasToString("Succeeded");
        assertThat(done.getStatus().result().filesystemUUID())
                .isEqualTo(ready.getStatus().filesystemUUID());
        assertThat(inode(image)).isEqualTo(ino);
        assertThat(DebugfsTree.read(image, tmp)).containsKey("user-data");
    }

    @Test
    void seedsFollowNodeSelectorsAndDeletingOneRemovesSeedsButNeverDisks() throws Exception {
        WorkSeed zoned = Manifests.seed("zoned", images.resolve("rootfs.ext4"));
        zoned.setSpec(new WorkSeedSpec(zoned.getSpec().source(), null, null, Map.of("zone", "a")));
        kube.resource(zoned).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            WorkSeed s = kube.resources(WorkSeed.class).withName("zoned").get();
            return s.getStatus() != null && "1/1".equals(s.getStatus().ready());
        });
        Path seedOnA = tmp.resolve("node-a/seeds/zoned.ext4");
        assertThat(seedOnA).exists();
        assertThat(tmp.resolve("node-b/seeds/zoned.ext4")).doesNotExist();

        kube.resource(Manifests.seeded("from-zoned", "1Gi", "zoned")).create();
        WorkDisk disk = awaitPhase("from-zoned", DiskPhase.Ready);
        assertThat(disk.getStatus().nodeName()).as("only node-a has the seed").isEqualTo("node-a");

        Edits.edit(kube.resources(WorkSeed.class).withName("zoned"), s -> {
            s.setSpec(new WorkSeedSpec(s.getSpec().source(), null, null, Map.of("zone", "b")));
            return s;
        });
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(tmp.resolve("node-b/seeds/zoned.ext4")) && !Files.exists(seedOnA));

        kube.resources(WorkSeed.class).withName("zoned").delete();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kube.resources(WorkSeed.class).withName("zoned").get() == null);
        assertThat(tmp.resolve("node-b/seeds/zoned.ext4")).doesNotExist();
        assertThat(Path.of(disk.getStatus().path())).exists();
        Shell.assertFsckClean(Path.of(disk.getStatus().path()));
    }

    @Test
    void httpSeedsAreDownloadedVerifiedAndAWrongChecksumIsReported() throws Exception {
        byte[] image = Files.readAllBytes(images.resolve("rootfs.ext4"));
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/rootfs.ext4", exchange -> {
            exchange.sendResponseHeaders(200, image.length);
            try (var body = exchange.getResponseBody()) {
                body.write(image);
            }
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/rootfs.ext4";
            for (String[] seed : new String[][] {{"good", sha}, {"bad", "0".repeat(64)}}) {
                WorkSeed ws = Manifests.seed(seed[0], images.resolve("unused"));
                ws.setSpec(new WorkSeedSpec(
                        new SeedSource(null, new HttpSource(url, seed[1]), null, null),
                        null,
                        null,
                        Map.of("zone", "a")));
                kube.resource(ws).create();
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                WorkSeed good = kube.resources(WorkSeed.class).withName("good").get();
                assertThat(good.getStatus()).isNotNull();
                assertThat(good.getStatus().ready()).isEqualTo("1/1");
            });
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                WorkSeed bad = kube.resources(WorkSeed.class).withName("bad").get();
                assertThat(bad.getStatus()).isNotNull();
                assertThat(bad.getStatus().conditions()).anySatisfy(c -> {
                    assertThat(c.getReason()).isEqualTo("BuildFailed");
                    assertThat(c.getMessage()).contains("SHA-256").contains("not the expected");
                });
            });
            assertThat(tmp.resolve("node-a/seeds/bad.ext4")).doesNotExist();
            try (var left = Files.list(tmp.resolve("node-a/downloads"))) {
                assertThat(left).as("no download is left behind").isEmpty();
            }
            kube.resource(Manifests.seeded("from-http", "1Gi", "good")).create();
            TreeAssert.assertSameTree(
                    sourceRoot,
                    DebugfsTree.read(
                            Path.of(awaitPhase("from-http", DiskPhase.Ready)
                                    .getStatus()
                                    .path()),
                            tmp));
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aJoiningNodeGetsTheSeedAndAChangedSourceRebuildsIt() throws Exception {
        kube.resource(Manifests.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        awaitSeed("ubuntu", "2/2");
        long before = inode(tmp.resolve("node-a/seeds/ubuntu.ext4"));

        cluster.addNode("node-c", Map.of("zone", "c"), tmp.resolve("node-c"), List.of(images), null);
        awaitSeed("ubuntu", "3/3");
        assertThat(DebugfsTree.read(tmp.resolve("node-c/seeds/ubuntu.ext4"), tmp))
                .containsKey(".bashrc");

        Edits.edit(kube.resources(WorkSeed.class).withName("ubuntu"), s -> {
            s.setSpec(new WorkSeedSpec(s.getSpec().source(), "/root/.ssh", null, null));
            return s;
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String node : List.of("node-a", "node-b", "node-c")) {
                assertThat(DebugfsTree.read(tmp.resolve(node + "/seeds/ubuntu.ext4"), tmp))
                        .containsOnlyKeys("", "authorized_keys", "hard-link-2");
            }
        });
        awaitSeed("ubuntu", "3/3");
        assertThat(inode(tmp.resolve("node-a/seeds/ubuntu.ext4")))
                .as("replaced atomically by a new file")
                .isNotEqualTo(before);
    }

    void awaitSeed(String name, String ready) {
        assertThat(Waits.seedReady(kube, name).getStatus().ready()).isEqualTo(ready);
    }
}

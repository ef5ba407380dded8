package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.workdisk.agent.benchmark.PayloadTree;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time from applying WorkDisks to all of them Ready, through the API, operator and agents, next to the
 * same disk work done by the engine alone with the same parallelism, in one run. Not part of the suite;
 * run with {@code ./mvnw -B -pl demo -am test -Pbenchmark -Dtest=ApplyToReadyBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
@ExtendWith(SharedApiServer.class)
class ApplyToReadyBenchmark {
    static final long GIB = 1L << 30;
    static final int MANY = Integer.getInteger("bench.disks", 200);
    static final List<String> NODES = List.of("node-a", "node-b", "node-c");

    @TempDir
    Path tmp;

    final List<String> report = new ArrayList<>();

    @Test
    void applyToReady(RealApiServer api) throws Exception {
        Path tree = tmp.resolve("tree");
        PayloadTree.create(tree.resolve("root"), 1);
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path rootfs = Rootfs.make(tree, images.resolve("rootfs.ext4"), 1024, Rootfs.Layout.EXT4_DEFAULT);

        // Sparse disks: let the operator place more than the data roots' size, as a platform team would.
        try (LocalCluster cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings(
                        "workdisk-system", 100.0, Duration.ofSeconds(60), Duration.ofSeconds(60), 10),
                Clock.systemUTC())) {
            for (String node : NODES) {
                cluster.addNode(node, Map.of(), tmp.resolve(node), List.of(images), null);
            }
            // one task at a time per node, so the engine-alone run below can use exactly the same parallelism
            for (String node : NODES) {
                NodeAgent.Settings s = cluster.stopAgent(node);
                cluster.startAgent(new NodeAgent.Settings(node, s.dataRoot(), s.imageDirs(), null, 1, s.heartbeat()));
            }
            cluster.startOperator();
            var kube = cluster.client();
            long seedStart = System.nanoTime();
            kube.resource(Manifests.seed("bench", rootfs)).create();
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        WorkSeed s =
                                kube.resources(WorkSeed.class).withName("bench").get();
                        return s.getStatus() != null
                                && "3/3".equals(s.getStatus().ready());
                    });
            double seedSeconds = (System.nanoTime() - seedStart) / 1e9;

            double one = applyAndWait(cluster, List.of("single"), "8Gi");
            double engineOne = EngineReference.makeDisks(
                    List.of(tmp.resolve("node-a")), 1, 1, 8 * GIB, "bench", 0, "engine-single-");

            List<String> names = new ArrayList<>();
            for (int i = 0; i < MANY; i++) {
                names.add("disk-" + i);
            }
            double many = applyAndWait(cluster, names, "8Gi");
            double engineMany = EngineReference.makeDisks(
                    NODES.stream().map(tmp::resolve).toList(), 1, MANY, 8 * GIB, "bench", 0, "engine-");
            var perNode = kube.resources(WorkDisk.class).inNamespace("default").list().getItems().stream()
                    .collect(Collectors.groupingBy(d -> d.getStatus().nodeName(), TreeMap::new, Collectors.counting()));

            line("# Apply to Ready");
            line("");
            line("Seed (1,557 entries, 84 MB) built on 3 nodes in %.2f s (apply to 3/3 Ready).", seedSeconds);
            line("");
            line("| workload | apply → all Ready | engine alone, same parallelism | ratio |");
            line("|---|---:|---:|---:|");
            line("| 1 seeded 8Gi WorkDisk | %.3f s | %.3f s | %.1f× |", one, engineOne, one / engineOne);
            line(
                    "| %d seeded 8Gi WorkDisks on 3 nodes | %.2f s | %.2f s | %.2f× |",
                    MANY, many, engineMany, many / engineMany);
            line("");
            line("Disks per node: %s.", perNode);
            System.out.println("\n" + String.join("\n", report));
            Files.createDirectories(Path.of("target", "benchmarks"));
            Files.write(Path.of("target", "benchmarks", "apply-to-ready.md"), report);
        }
    }

    /** Applies seeded disks and returns the seconds until every one of them is Ready. */
    static double applyAndWait(LocalCluster cluster, List<String> names, String size) {
        var kube = cluster.client();
        long start = System.nanoTime();
        for (String name : names) {
            kube.resource(Manifests.seeded(name, size, "bench")).create();
        }
        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> kube.resources(WorkDisk.class).inNamespace("default").list().getItems().stream()
                                .filter(d -> names.contains(d.getMetadata().getName()))
                                .filter(d ->
                                        d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready)
                                .count()
                        == names.size());
        return (System.nanoTime() - start) / 1e9;
    }

    void line(String format, Object... args) {
        report.add(String.format(Locale.ROOT, format, args));
    }
}

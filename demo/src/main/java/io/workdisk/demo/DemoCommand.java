package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.api.task.HostPathSource;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.operator.WorkdiskOperator;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code workdisk demo}: a whole installation on this machine with no cluster. An in-process Kubernetes
 * API, the operator, and agents for two simulated nodes apply the examples, show their status live until
 * every WorkDisk is Ready, and leave real ext4 images behind to inspect.
 */
@Command(
        name = "workdisk demo",
        mixinStandardHelpOptions = true,
        version = "workdisk demo 0.1.0",
        description = "Run the operator and two node agents against an in-process Kubernetes API and apply examples/.")
public final class DemoCommand implements Callable<Integer> {
    static final List<String> EXAMPLES = List.of("workseed.yaml", "workdisk-seeded.yaml", "workdisk-blank.yaml");
    static final String MARKER = "WORKDISK-DEMO";

    @Option(
            names = "--dir",
            defaultValue = ".workdisk-demo",
            paramLabel = "DIR",
            description = "Where the demo keeps its nodes' data roots and images (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(
            names = "--timeout",
            defaultValue = "120",
            paramLabel = "SECONDS",
            description = "Give up if not everything is Ready by then (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--stay", description = "Keep running after everything is Ready, until Ctrl-C.")
    boolean stay;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = prepare(dir.toAbsolutePath().normalize());
        E2fsTools tools = E2fsTools.fromEnvironment();
        Path images = Files.createDirectories(work.resolve("images"));
        Path rootfs = DemoRootfs.make(work, images.resolve("demo-rootfs.ext4"), tools);
        out.println("workdisk demo: generated rootfs " + rootfs);
        try (LocalApiServer api = LocalApiServer.start();
                LocalCluster cluster = new LocalCluster(
                        api,
                        new WorkdiskOperator.Settings(
                                "workdisk-system", 1.0, Duration.ofSeconds(30), Duration.ofSeconds(30), 4),
                        Clock.systemUTC())) {
            cluster.addNode("node-a", Map.of("zone", "a"), work.resolve("node-a"), List.of(images), null);
            cluster.addNode("node-b", Map.of("zone", "b"), work.resolve("node-b"), List.of(images), null);
            cluster.startOperator();
            out.println(
                    "workdisk demo: API at " + cluster.apiUrl() + ", operator and agents for node-a, node-b started");
            KubernetesClient kube = cluster.client();
            for (String example : EXAMPLES) {
                HasMetadata object = load(example, rootfs);
                kube.resource(object).create();
                out.println("workdisk demo: applied examples/" + example + " (" + object.getKind() + " "
                        + object.getMetadata().getName() + ")");
            }
            boolean ready = watch(kube, Duration.ofSeconds(timeoutSeconds));
            List<WorkDisk> disks =
                    kube.resources(WorkDisk.class).inAnyNamespace().list().getItems();
            if (!ready) {
                out.println();
                out.println("workdisk demo: not everything became Ready within " + timeoutSeconds + "s:");
                for (WorkDisk d : disks) {
                    if (d.getStatus() == null || d.getStatus().phase() != DiskPhase.Ready) {
                        out.println("  WorkDisk " + d.getMetadata().getName() + ": "
                                + (d.getStatus() == null
                                        ? "no status"
                                        : StatusTable.reason(d.getStatus().conditions())));
                    }
                }
                for (WorkSeed s : kube.resources(WorkSeed.class).list().getItems()) {
                    if (s.getStatus() != null
                            && !"True".equals(StatusTable.ready(s.getStatus().conditions()))) {
                        out.println("  WorkSeed " + s.getMetadata().getName() + ": "
                                + StatusTable.reason(s.getStatus().conditions()));
                    }
                }
                return 1;
            }
            out.println();
            out.println("workdisk demo: every WorkDisk is Ready. The images are real ext4 files:");
            for (WorkDisk d : disks) {
                out.println(
                        "  " + d.getMetadata().getName() + "  " + d.getStatus().path());
            }
            out.println("Look inside one with:  debugfs -R 'ls -l /' "
                    + disks.get(0).getStatus().path());
            if (stay) {
                out.println("workdisk demo: staying up (Ctrl-C to stop); API at " + cluster.apiUrl());
                CountDownLatch forever = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
                forever.await();
            }
            return 0;
        }
    }

    /** A fresh demo directory; an earlier demo's is replaced, anything else is refused. */
    static Path prepare(Path work) throws Exception {
        if (Files.exists(work)) {
            if (!Files.exists(work.resolve(MARKER))) {
                throw new CommandLine.ParameterException(
                        new CommandLine(new DemoCommand()),
                        work + " exists and was not made by the demo; choose another --dir");
            }
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(work);
        Files.writeString(work.resolve(MARKER), "Made by ./workdisk demo; removed and remade by the next run.\n");
        return work;
    }

    /** An example as a typed object; the WorkSeed is pointed at the generated rootfs. */
    static HasMetadata load(String example, Path rootfs) throws Exception {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/examples/" + example)) {
            if (in == null) {
                throw new IllegalStateException("examples/" + example + " is not packaged");
            }
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String kind = Serialization.unmarshal(yaml, GenericKubernetesResource.class)
                    .getKind();
            HasMetadata object = switch (kind) {
                case "WorkSeed" -> Serialization.unmarshal(yaml, WorkSeed.class);
                case "WorkDisk" -> Serialization.unmarshal(yaml, WorkDisk.class);
                default -> throw new IllegalStateException("examples/" + example + " is a " + kind);
            };
            if (object instanceof WorkSeed seed) {
                seed.setSpec(new WorkSeedSpec(
                        new SeedSource(new HostPathSource(rootfs.toString()), null, null, null),
                        seed.getSpec().subtree(),
                        seed.getSpec().ownership(),
                        seed.getSpec().nodeSelector()));
            }
            return object;
        }
    }

    /** Redraws the table until every WorkDisk is Ready or time runs out. */
    private boolean watch(KubernetesClient kube, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        boolean tty = System.console() != null;
        List<String> last = List.of();
        while (true) {
            List<String> table = StatusTable.render(kube);
            if (!table.equals(last)) {
                if (tty && !last.isEmpty()) {
                    out.print("\033[" + last.size() + "A\033[J");
                } else {
                    out.println();
                }
                table.forEach(out::println);
                last = table;
            }
            List<WorkDisk> disks =
                    kube.resources(WorkDisk.class).inAnyNamespace().list().getItems();
            if (!disks.isEmpty()
                    && disks.stream()
                            .allMatch(
                                    d -> d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready)
                    && StatusTable.nodesCaughtUp(kube)) {
                // the table left on screen shows the nodes with their disks, not a heartbeat behind
                List<String> settled = StatusTable.render(kube);
                if (!settled.equals(last)) {
                    if (tty) {
                        out.print("\033[" + last.size() + "A\033[J");
                    } else {
                        out.println();
                    }
                    settled.forEach(out::println);
                }
                return true;
            }
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(250); // a redraw interval for a person watching, not a wait for a condition
        }
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Rootfs;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * How much the images' jlink'ed runtime and CDS archive buy at start-up, side by side in the same containers
 * (runc, as {@link ImageSmokeTest} runs them) with the same jar and JVM flags:
 * <ul>
 * <li>plain JRE: Debian's openjdk-17-jre-headless as packaged (with its default CDS archive of JDK classes),
 * mounted into the image from the JDK root images/build fetched (target/images/cache);
 * <li>jlink: the image's runtime without the application's CDS archive;
 * <li>image: the image's entrypoint as it is (jlink and the AppCDS archive).
 * </ul>
 * Agent: wall time of CLI steps (format 64Mi, materialize 1Gi from a seed), container start to exit, and the
 * part of it outside the step's own work (which is e2fsprogs' mostly, the same whatever runs the JVM). Operator:
 * container start until GET /readyz answers 200 against the real API server, and the CPU time it used by then
 * (less at the mercy of whatever else the machine runs than wall time). Runs are interleaved, the median
 * of each is reported. Needs {@code ./workdisk images} first (and root, runc, umoci).
 *
 * <p>Run: {@code ./mvnw -B -pl demo -am test -Pbenchmark -Dtest=ImageStartBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
@ExtendWith(SharedApiServer.class)
class ImageStartBenchmark {
    static final int RUNS = Integer.getInteger("workdisk.bench.runs", 7);
    static final String JVM_DIR = "/usr/lib/jvm";

    @TempDir
    Path tmp;

    /** One way of running the image's program: its full command line (JVM, flags, jar) for these args. */
    record Variant(String name, Function<List<String>, List<String>> command) {}

    @Test
    void startUpPlainJreVersusImage(RealApiServer api) throws Exception {
        Requirements.need(
                Files.exists(OciImage.archive("workdisk-agent")),
                "no image archive in " + OciImage.DIR + " (build it with ./workdisk images)");
        Path jdkRoot = debianJdkRoot();
        OciImage agent = OciImage.unpack(OciImage.archive("workdisk-agent"), tmp.resolve("agent-image"));
        OciImage operator = OciImage.unpack(OciImage.archive("workdisk-operator"), tmp.resolve("operator-image"));
        String java = Files.list(jdkRoot.resolve("usr/lib/jvm"))
                .filter(p -> p.getFileName().toString().startsWith("java-17"))
                .findFirst()
                .orElseThrow()
                .getFileName()
                .toString();

        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(data.resolve("seeds"));
        Files.copy(Rootfs.ofFixture(tmp.resolve("fixture")), data.resolve("rootfs.ext4"));
        Container seed = agent.container(tmp.resolve("seed"))
                .privileged()
                .mount(data, "/data", false)
                .args(List.of("build-seed", "--rootfs", "/data/rootfs.ext4", "/data/seeds/root.ext4"));
        assertThat(seed.run(tmp.resolve("seed.log")))
                .as(Files.readString(tmp.resolve("seed.log")))
                .isZero();

        Map<String, List<Double>> agentFormat = new LinkedHashMap<>();
        Map<String, List<Double>> agentMaterialize = new LinkedHashMap<>();
        Map<String, List<Double>> formatOutside = new LinkedHashMap<>();
        Map<String, List<Double>> materializeOutside = new LinkedHashMap<>();
        Map<String, List<Double>> operatorReady = new LinkedHashMap<>();
        Map<String, List<Double>> operatorCpu = new LinkedHashMap<>();
        List<Variant> agentVariants = variants(agent, java);
        List<Variant> operatorVariants = variants(operator, java);
        Path kubeconfig = Files.createDirectories(tmp.resolve("kubeconfig"));
        Files.writeString(kubeconfig.resolve("config"), ImageSmokeTest.selfContained(api.kubeconfigYaml()));
        api.ensureNamespace(ImageSmokeTest.NAMESPACE);

        int n = 0;
        for (int run = 0; run < RUNS; run++) {
            for (int v = 0; v < agentVariants.size(); v++) {
                Variant a = agentVariants.get(v);
                n++;
                double[] format = timeCli(
                        agent,
                        jdkRoot,
                        data,
                        a,
                        List.of("format", "--size", "64Mi", "--json", "/data/blank-" + n + ".ext4"));
                agentFormat.computeIfAbsent(a.name(), k -> new ArrayList<>()).add(format[0]);
                formatOutside.computeIfAbsent(a.name(), k -> new ArrayList<>()).add(format[0] - format[1]);
                double[] materialize = timeCli(
                        agent,
                        jdkRoot,
                        data,
                        a,
                        List.of(
                                "materialize",
                                "--seed",
                                "/data/seeds/root.ext4",
                                "--size",
                                "1Gi",
                                "--json",
                                "/data/disk-" + n + ".ext4"));
                agentMaterialize
                        .computeIfAbsent(a.name(), k -> new ArrayList<>())
                        .add(materialize[0]);
                materializeOutside
                        .computeIfAbsent(a.name(), k -> new ArrayList<>())
                        .add(materialize[0] - materialize[1]);
                Files.delete(data.resolve("blank-" + n + ".ext4"));
                Files.delete(data.resolve("disk-" + n + ".ext4"));
                Variant o = operatorVariants.get(v);
                double[] ready = timeOperator(operator, jdkRoot, kubeconfig, o);
                operatorReady.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(ready[0]);
                operatorCpu.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(ready[1]);
            }
        }
        System.out.println();
        System.out.printf(
                "%-44s %12s %12s %12s%n", "median of " + RUNS + " runs, seconds", "plain JRE", "jlink", "image");
        print("agent: format --size 64Mi", agentFormat);
        print("  of which outside the step", formatOutside);
        print("agent: materialize --size 1Gi", agentMaterialize);
        print("  of which outside the step", materializeOutside);
        print("operator: start to /readyz 200", operatorReady);
        print("  CPU seconds used by then", operatorCpu);
        System.out.printf(
                "plain JRE: Debian openjdk-17-jre-headless %s%n",
                Files.readAllLines(jdkRoot.resolve("var/lib/dpkg/status.d/openjdk-17-jre-headless")).stream()
                        .filter(l -> l.startsWith("Version:"))
                        .findFirst()
                        .orElse("?"));
    }

    private static void print(String what, Map<String, List<Double>> times) {
        double plain = median(times.get("plain JRE"));
        double image = median(times.get("image"));
        System.out.printf(
                "%-44s %12.3f %12.3f %12.3f   image %.0f %% faster%n",
                what, plain, median(times.get("jlink")), image, 100 * (1 - image / plain));
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** The three ways to run the image's jar: the entrypoint's flags and jar with another JVM or without its CDS archive. */
    private static List<Variant> variants(OciImage image, String java) {
        List<String> entrypoint = image.entrypoint();
        List<String> flagsAndJar = entrypoint.subList(1, entrypoint.size()).stream()
                .filter(f -> !f.startsWith("-XX:SharedArchiveFile="))
                .toList();
        return List.of(
                new Variant(
                        "plain JRE", args -> concat(List.of(JVM_DIR + "/" + java + "/bin/java"), flagsAndJar, args)),
                new Variant("jlink", args -> concat(List.of(entrypoint.get(0)), flagsAndJar, args)),
                new Variant("image", args -> concat(entrypoint, args)));
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }

    /** A container of the image that also sees Debian's full JRE where Debian installs it (for the plain variant). */
    private Container container(OciImage image, Path jdkRoot, String name) throws IOException {
        return image.container(tmp.resolve("c-" + name))
                .mount(jdkRoot.resolve("usr/lib/jvm"), JVM_DIR, true)
                .mount(jdkRoot.resolve("etc/java-17-openjdk"), "/etc/java-17-openjdk", true);
    }

    /**
     * A CLI step's wall time, container start to exit, and the step's own time as it reports it ({@code seconds}
     * in its --json result: the engine's work, e2fsprogs included); the difference is what a runtime and CDS
     * archive can change (the JVM's start, the CLI, and runc's share, the same for every variant).
     */
    private double[] timeCli(OciImage agent, Path jdkRoot, Path data, Variant variant, List<String> args)
            throws Exception {
        Container c = container(agent, jdkRoot, "agent")
                .privileged()
                .mount(data, "/data", false)
                .command(variant.command().apply(args));
        Path log = tmp.resolve("agent.log");
        long start = System.nanoTime();
        int exit = c.run(log);
        double seconds = (System.nanoTime() - start) / 1e9;
        String output = Files.readString(log);
        assertThat(exit).as("%s %s: %s", variant.name(), args, output).isZero();
        Matcher step = Pattern.compile("\"seconds\" : ([0-9.]+)").matcher(output);
        assertThat(step.find()).as(output).isTrue();
        return new double[] {seconds, Double.parseDouble(step.group(1))};
    }

    /** Seconds from the container's start until /readyz answers 200, and the CPU seconds it used by then. */
    private double[] timeOperator(OciImage operator, Path jdkRoot, Path kubeconfig, Variant variant) throws Exception {
        int port = ImageSmokeTest.freePort();
        Container c = container(operator, jdkRoot, "operator")
                .readOnlyRoot()
                .dropAllCapabilities()
                .mount(kubeconfig, "/etc/workdisk-test", true)
                .env("KUBECONFIG", "/etc/workdisk-test/config")
                .command(variant.command()
                        .apply(List.of(
                                "--namespace=" + ImageSmokeTest.NAMESPACE,
                                "--no-leader-election",
                                "--metrics-port=" + port)));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(1))
                .build();
        Path log = tmp.resolve("operator.log");
        try (Container running = c) {
            long start = System.nanoTime();
            running.start(log);
            await().atMost(Duration.ofSeconds(120))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        assertThat(running.isRunning())
                                .as("%s exited: %s", variant.name(), Files.readString(log))
                                .isTrue();
                        try {
                            return http.send(readyz, HttpResponse.BodyHandlers.discarding())
                                            .statusCode()
                                    == 200;
                        } catch (ConnectException | HttpTimeoutException notYet) {
                            return false;
                        }
                    });
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {seconds, running.cpuSeconds()};
        }
    }

    /** The Debian JDK root images/build extracted (its JRE is the plain variant). */
    private static Path debianJdkRoot() throws IOException {
        try (Stream<Path> days = Files.list(OciImage.DIR.resolve("cache"))) {
            return days.flatMap(day -> {
                        try {
                            return Files.list(day);
                        } catch (IOException e) {
                            return Stream.empty();
                        }
                    })
                    .filter(p -> p.getFileName().toString().startsWith("jdk-")
                            && Files.isDirectory(p)
                            && Files.exists(Path.of(p + ".done")))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() ->
                            new AssertionError("no Debian JDK root in target/images/cache: run ./workdisk images"));
        }
    }
}

package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.api.ByteQuantity;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What a platform engineer reads with kubectl on a real API server: explain, get, Events, times. */
@ExtendWith(SharedApiServer.class)
class KubectlViewTest {
    static final List<String> CRDS =
            List.of("workdisks.workdisk.io", "workseeds.workdisk.io", "worktasks.workdisk.io", "worknodes.workdisk.io");

    /** A Kubernetes quantity of bytes as people write it: no bare byte count above 1023. */
    static final Pattern READABLE_BYTES = Pattern.compile("([0-9]{1,3}(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei))|[0-9]{1,4}");

    @TempDir
    Path tmp;

    RealApiServer api;
    KubernetesClient kube;
    Kubectl kubectl;
    LocalCluster cluster;
    Path images;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        this.api = api;
        this.kube = api.newClient("user");
        this.kubectl = Kubectl.of(api, tmp);
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        kube.close();
    }

    /** The operator and agents for node-a (zone a, the whole data root) and node-b (zone b, --capacity 2Gi). */
    void startCluster() throws Exception {
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        images = Rootfs.ofFixture(tmp).getParent();
        cluster.addNode("node-a", Map.of("zone", "a"), tmp.resolve("node-a"), List.of(images), null);
        cluster.addNode("node-b", Map.of("zone", "b"), tmp.resolve("node-b"), List.of(images), 2L << 30);
        cluster.startOperator();
    }

    @Test
    void everyFieldOfEveryKindIsDescribed() {
        for (String name : CRDS) {
            CustomResourceDefinition crd = kube.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(name)
                    .get();
            assertThat(crd.getSpec().getVersions()).isNotEmpty();
            for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
                String at = name + "/" + version.getName();
                assertThat(root.getDescription())
                        .as("%s: the kind's own description", at)
                        .isNotBlank();
                List<String> undescribed = new ArrayList<>();
                List<String> walked = new ArrayList<>();
                walk(root, "", undescribed, walked);
                assertThat(walked).as("%s has spec or status", at).containsAnyOf(".spec", ".status");
                assertThat(undescribed)
                        .as("%s: properties without a useful description", at)
                        .isEmpty();
            }
        }
    }

    /** Every property below {@code schema}, through objects, array items and map values. */
    static void walk(JSONSchemaProps schema, String path, List<String> undescribed, List<String> walked) {
        if (schema == null) {
            return;
        }
        for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties().entrySet()) {
            String at = path + "." + p.getKey();
            walked.add(at);
            String description = p.getValue().getDescription();
            if (description == null || description.isBlank() || restatesName(p.getKey(), description)) {
                undescribed.add(at + ": " + description);
            }
            walk(p.getValue(), at, undescribed, walked);
        }
        if (schema.getItems() != null) {
            walk(schema.getItems().getSchema(), path + "[]", undescribed, walked);
        }
        if (schema.getAdditionalProperties() != null) {
            walk(schema.getAdditionalProperties().getSchema(), path + "{}", undescribed, walked);
        }
    }

    /** "The node name." for nodeName: the words of the name and nothing else. */
    static boolean restatesName(String name, String description) {
        String words = description
                .toLowerCase(Locale.ROOT)
                .replaceAll("\\b(the|a|an|of)\\b", "")
                .replaceAll("[^a-z0-9]", "");
        return words.equals(name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""));
    }

    @Test
    void kubectlExplainShowsTheDescriptions() {
        // what the server publishes for a new CRD may lag behind it being Established
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(
                                kubectl.run("explain", "worknode.status").exitCode())
                        .isZero());
        assertExplains("workdisk", description("workdisks.workdisk.io"));
        assertExplains(
                "workdisk.spec",
                description("workdisks.workdisk.io", "spec"),
                description("workdisks.workdisk.io", "spec", "size"),
                description("workdisks.workdisk.io", "spec", "seedRef"));
        assertExplains(
                "workdisk.status.conditions.lastTransitionTime",
                description("workdisks.workdisk.io", "status", "conditions", "lastTransitionTime"));
        assertExplains(
                "workseed.status",
                description("workseeds.workdisk.io", "status"),
                description("workseeds.workdisk.io", "status", "readyNodes"));
        assertExplains(
                "worktask.status.result",
                description("worktasks.workdisk.io", "status", "result"),
                description("worktasks.workdisk.io", "status", "result", "allocatedBytes"));
        assertExplains(
                "worknode.status",
                description("worknodes.workdisk.io", "status"),
                description("worknodes.workdisk.io", "status", "heartbeatTime"));
        assertExplains(
                "workseed.spec.source.image",
                description("workseeds.workdisk.io", "spec", "source", "image"),
                description("workseeds.workdisk.io", "spec", "source", "image", "reference"),
                description("workseeds.workdisk.io", "spec", "source", "image", "platform"));
        assertExplains("workseed.spec.ownership", description("workseeds.workdisk.io", "spec", "ownership"));
        assertThat(kubectl.ok("explain", "workseed.status", "--recursive"))
                .contains(
                        "nodes",
                        "sourceDigest",
                        "conditions",
                        "lastTransitionTime",
                        "readyNodes",
                        "desiredNodes",
                        "resolvedImage",
                        "imageDigest",
                        "bytesFetched",
                        "entriesWritten");
    }

    /** kubectl explain FIELD shows each description (kubectl wraps lines: compared with whitespace folded). */
    void assertExplains(String field, String... descriptions) {
        String shown = folded(kubectl.ok("explain", field));
        for (String d : descriptions) {
            assertThat(d).as("the CRD describes %s", field).isNotBlank();
            assertThat(shown).as("kubectl explain %s", field).contains(folded(d));
        }
    }

    static String folded(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    /** The description of a property of a CRD as the server holds it; no path: the kind's. */
    String description(String crd, String... path) {
        JSONSchemaProps schema = kube.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crd)
                .get()
                .getSpec()
                .getVersions()
                .get(0)
                .getSchema()
                .getOpenAPIV3Schema();
        for (String p : path) {
            schema = schema.getItems() != null
                    ? schema.getItems().getSchema().getProperties().get(p)
                    : schema.getProperties().get(p);
        }
        return schema.getDescription();
    }

    @Test
    void kubectlGetShowsEveryKindInColumnsAPersonReads() throws Exception {
        startCluster();
        kube.resource(Manifests.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        kube.resource(Manifests.disk(
                        "default", "blank", WorkDiskSpec.ofSize("1Gi").withNodeName("node-b")))
                .create();
        kube.resource(Manifests.disk(
                        "default",
                        "vm1",
                        WorkDiskSpec.ofSize("1Gi").withSeedRef("ubuntu").withNodeName("node-a")))
                .create();
        kube.resource(Manifests.disk(
                        "default",
                        "small",
                        WorkDiskSpec.ofSize("128Mi").withSeedRef("ubuntu").withNodeName("node-a")))
                .create();
        kube.resource(Manifests.disk(
                        "default", "nowhere", WorkDiskSpec.ofSize("1Gi").withNodeSelector(Map.of("zone", "mars"))))
                .create();
        Waits.phase(kube, "blank", DiskPhase.Ready);
        Waits.phase(kube, "vm1", DiskPhase.Ready);
        Waits.phase(kube, "small", DiskPhase.Failed);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Map<String, String>> nodes = table(kubectl.ok("get", "worknodes"));
            assertThat(nodes.keySet()).containsExactly("node-a", "node-b");
            assertThat(nodes.get("node-b"))
                    .as("the agent's --capacity 2Gi, the 1Gi disk on it")
                    .containsEntry("CAPACITY", "2Gi")
                    .containsEntry("ALLOCATED", "1Gi")
                    .containsEntry("FREE", "1Gi")
                    .containsEntry("READY", "True")
                    .containsEntry("DISKS", "1");
            for (Map.Entry<String, Map<String, String>> row : nodes.entrySet()) {
                var status = kube.resources(WorkNode.class)
                        .withName(row.getKey())
                        .get()
                        .getStatus();
                assertThat(row.getValue().get("CAPACITY")).isEqualTo(ByteQuantity.readable(status.capacityBytes()));
                assertThat(row.getValue().get("ALLOCATED")).isEqualTo(ByteQuantity.readable(status.allocatedBytes()));
                assertThat(Quantity.getAmountInBytes(new Quantity(row.getValue().get("FREE")))
                                .longValue())
                        .isLessThanOrEqualTo(status.capacityBytes() - status.allocatedBytes());
                for (String column : List.of("CAPACITY", "ALLOCATED", "FREE")) {
                    assertThat(row.getValue().get(column))
                            .as("%s of %s", column, row.getKey())
                            .matches(READABLE_BYTES);
                }
            }
        });
        Map<String, Map<String, String>> disks = table(kubectl.ok("get", "wd"));
        assertThat(disks.get("blank"))
                .containsEntry("PHASE", "Ready")
                .containsEntry("SIZE", "1Gi")
                .containsEntry("NODE", "node-b");
        assertThat(disks.get("vm1")).containsEntry("PHASE", "Ready").containsEntry("SEED", "ubuntu");
        assertThat(disks.get("small")).containsEntry("PHASE", "Failed");
        assertThat(disks.get("nowhere")).containsEntry("PHASE", "Pending");
        assertThat(table(kubectl.ok("get", "wd", "-o", "wide")).get("nowhere"))
                .containsEntry("REASON", "NoMatchingNode");
        Map<String, Map<String, String>> seeds = table(kubectl.ok("get", "ws"));
        assertThat(seeds.get("ubuntu"))
                .containsEntry("READY", "2/2")
                .containsEntry("SOURCE", "hostPath:" + images.resolve("rootfs.ext4"))
                .as("only image builds report progress")
                .containsEntry("PROGRESS", "");
        Map<String, Map<String, String>> tasks = table(kubectl.ok("get", "wt", "-A"));
        assertThat(tasks.values())
                .as("the failed create task is kept as the record of the failure")
                .anySatisfy(t -> assertThat(t)
                        .containsEntry("TYPE", "Materialize")
                        .containsEntry("NODE", "node-a")
                        .containsEntry("PHASE", "Failed")
                        .containsEntry("REASON", "SIZE_BELOW_SEED"));
    }

    @Test
    void aDiskThatCannotBePlacedGetsExactlyOneEventForIt() throws Exception {
        startCluster();
        kube.resource(Manifests.disk(
                        "default", "nowhere", WorkDiskSpec.ofSize("1Gi").withNodeSelector(Map.of("zone", "mars"))))
                .create();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(Waits.get(kube, "nowhere").getStatus())
                        .isNotNull()
                        .extracting(s -> s.conditions().stream()
                                .map(c -> c.getType() + "=" + c.getReason())
                                .toList())
                        .isEqualTo(List.of(
                                "Placed=NoMatchingNode", "Ready=NoMatchingNode", "Reconciling=NoMatchingNode")));
        // a node joining wakes the unplaced disk: still nowhere to go, nothing new to say
        cluster.addNode("node-c", Map.of("zone", "c"), tmp.resolve("node-c"), List.of(images), null);

        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<Event> events = kube.v1().events().inNamespace("default").list().getItems().stream()
                    .filter(e -> e.getInvolvedObject().getName().equals("nowhere"))
                    .toList();
            assertThat(events).as("%s", events).singleElement().satisfies(e -> {
                assertThat(e.getReason()).isEqualTo("NoMatchingNode");
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getCount()).as("seen once").isEqualTo(1);
                assertThat(e.getSeries()).isNull();
                assertThat(e.getInvolvedObject().getUid())
                        .isEqualTo(Waits.get(kube, "nowhere").getMetadata().getUid());
            });
        });
        String described = kubectl.ok("describe", "wd", "nowhere");
        assertThat(described.substring(described.indexOf("Events:")).lines().filter(l -> l.contains("NoMatchingNode")))
                .as(described)
                .singleElement()
                .asString()
                .doesNotContain("(x");
    }

    /** The time fields workdisk writes, and how core types write times: RFC 3339 in UTC, to the second. */
    static final Set<String> TIME_FIELDS = Set.of("lastTransitionTime", "startedAt", "finishedAt", "heartbeatTime");

    static final Pattern RFC3339_SECONDS = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");

    @Test
    void everyTimeIsWrittenInRfc3339ToTheSecond() throws Exception {
        startCluster();
        kube.resource(Manifests.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        kube.resource(Manifests.disk(
                        "default", "blank", WorkDiskSpec.ofSize("1Gi").withNodeName("node-b")))
                .create();
        kube.resource(Manifests.disk(
                        "default",
                        "small",
                        WorkDiskSpec.ofSize("128Mi").withSeedRef("ubuntu").withNodeName("node-a")))
                .create();
        Waits.phase(kube, "blank", DiskPhase.Ready);
        Waits.phase(kube, "small", DiskPhase.Failed);
        Waits.seedReady(kube, "ubuntu");

        // kind -> the time fields found in its objects as the server returns them
        Map<String, List<String>> found = new LinkedHashMap<>();
        for (String kind : List.of("workdisks", "workseeds", "worktasks", "worknodes")) {
            JsonNode list = new ObjectMapper().readTree(kubectl.ok("get", kind, "-A", "-o", "json"));
            List<String> times = new ArrayList<>();
            collectTimes(list.get("items"), kind, times);
            found.put(kind, times);
        }
        assertThat(found.get("workdisks"))
                .as("conditions and lastOperation")
                .anyMatch(t -> t.contains(".lastTransitionTime="))
                .anyMatch(t -> t.contains(".lastOperation.startedAt="))
                .anyMatch(t -> t.contains(".lastOperation.finishedAt="));
        assertThat(found.get("workseeds")).anyMatch(t -> t.contains(".lastTransitionTime="));
        assertThat(found.get("worktasks"))
                .as("the failed task kept")
                .anyMatch(t -> t.contains(".startedAt="))
                .anyMatch(t -> t.contains(".finishedAt="));
        assertThat(found.get("worknodes"))
                .anyMatch(t -> t.contains(".lastTransitionTime="))
                .anyMatch(t -> t.contains(".heartbeatTime="));
        assertThat(found.values().stream().flatMap(List::stream))
                .allSatisfy(
                        t -> assertThat(t.substring(t.indexOf('=') + 1)).as(t).matches(RFC3339_SECONDS));
    }

    /** Every time field below {@code node}, as "path=value". */
    static void collectTimes(JsonNode node, String path, List<String> out) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectTimes(node.get(i), path + "[" + i + "]", out);
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (TIME_FIELDS.contains(f.getKey())) {
                    out.add(path + "." + f.getKey() + "=" + f.getValue().asText());
                } else {
                    collectTimes(f.getValue(), path + "." + f.getKey(), out);
                }
            });
        }
    }

    /** kubectl's table by the first column (NAME, or NAME after NAMESPACE), each row cut where the header's columns start. */
    static Map<String, Map<String, String>> table(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(output).isNotEmpty();
        List<String> names = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Matcher m = Pattern.compile("\\S+").matcher(lines.get(0));
        while (m.find()) {
            names.add(m.group());
            starts.add(m.start());
        }
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                int from = Math.min(starts.get(i), line.length());
                int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                row.put(names.get(i), line.substring(from, to).strip());
            }
            rows.put(row.get("NAME"), row);
        }
        return rows;
    }
}

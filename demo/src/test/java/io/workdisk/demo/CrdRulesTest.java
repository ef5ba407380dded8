package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema constraint and CEL rule of the four CRDs, one row each, enforced by the real API server:
 * each object is written as a user (or kubectl) would write it, and a refused one must be refused with
 * exactly the messages listed, no more, so that what a user reads names the problem once. No operator or
 * agent runs: this is the API server's own judgement.
 */
@ExtendWith(SharedApiServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrdRulesTest {
    /**
     * The server's note after schema errors that stopped it from running the CEL rules (on kinds that have
     * CEL rules: WorkNode has none).
     */
    static final Cause NOT_CHECKED = new Cause("<nil>", "some validation rules were not checked");

    static final String SHA = "a".repeat(64);
    static final String HOST_PATH = "{hostPath: {path: /images/rootfs.ext4}}";
    static final String ONE_SOURCE = "exactly one of hostPath, http, image or ociArchive must be set";
    static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
    static final String IMAGE = "{image: {reference: 'registry.example:5000/base/debian:12'}}";

    KubernetesClient kube;
    /** What the current row made, removed after it so the next row starts from nothing. */
    final List<GenericKubernetesResource> made = new ArrayList<>();

    /** Once for all rows: emptying the server for each of them would cost more than the rows themselves. */
    @BeforeAll
    void connect(RealApiServer api) {
        kube = api.newClient("user");
    }

    @AfterEach
    void removeWhatTheRowMade() {
        made.forEach(o -> kube.resource(o).withGracePeriod(0).delete());
        made.clear();
    }

    @AfterAll
    void disconnect() {
        if (kube != null) {
            kube.close();
        }
    }

    /** One entry of the 422's causes: the field it names and a part of its message. */
    record Cause(String field, String says) {
        boolean matches(StatusCause c) {
            return field.equals(c.getField())
                    && c.getMessage() != null
                    && c.getMessage().contains(says);
        }

        @Override
        public String toString() {
            return field + ": ..." + says + "...";
        }
    }

    static Cause cause(String field, String says) {
        return new Cause(field, says);
    }

    static Arguments row(String name, String body, Cause... refusal) {
        return arguments(named(name, body), List.of(refusal));
    }

    /** A row about one kind among several: the kind is the first argument. */
    static Arguments of(String name, String kind, String text, Cause... refusal) {
        return arguments(named(name, kind), text, List.of(refusal));
    }

    static Arguments change(String name, String before, String after, Cause... refusal) {
        return arguments(named(name, before), after, List.of(refusal));
    }

    // ---- WorkDisk ----

    static Stream<Arguments> newWorkDisks() {
        return Stream.of(
                row("64Mi, the smallest", "spec: {size: 64Mi}"),
                row(
                        "one byte below 64Mi",
                        "spec: {size: '67108863'}",
                        cause("spec.size", "size must be at least 64Mi")),
                row("1Ki", "spec: {size: 1Ki}", cause("spec.size", "size must be at least 64Mi")),
                row("one byte below 16Ti, the largest", "spec: {size: '17592186044415'}"),
                row("16Ti", "spec: {size: 16Ti}", cause("spec.size", "size must be below 16Ti")),
                row("1Ei", "spec: {size: 1Ei}", cause("spec.size", "size must be below 16Ti")),
                row("decimal and fractional suffixes", "spec: {size: 1.5G}"),
                row("plain bytes, quoted", "spec: {size: '1073741824'}"),
                row("a word", "spec: {size: lots}", cause("spec.size", "spec.size in body should match")),
                row("a fraction of a byte", "spec: {size: '1.5'}", cause("spec.size", "size must be at least 64Mi")),
                row(
                        "a fraction of a byte above 64Mi",
                        "spec: {size: '100000000.5'}",
                        cause("spec.size", "size must be a whole number of bytes")),
                row(
                        "a fraction of a byte through a suffix",
                        "spec: {size: 100000.0001k}",
                        cause("spec.size", "size must be a whole number of bytes")),
                row(
                        "a fraction of a byte far above 16Ti",
                        "spec: {size: 99999999999999.5Ei}",
                        cause("spec.size", "size must be below 16Ti")),
                row("negative", "spec: {size: -1Gi}", cause("spec.size", "spec.size in body should match")),
                row("zero", "spec: {size: '0'}", cause("spec.size", "size must be at least 64Mi")),
                row("empty", "spec: {size: ''}", cause("spec.size", "spec.size in body should match")),
                row("with a space", "spec: {size: 8 Gi}", cause("spec.size", "spec.size in body should match")),
                row(
                        "a unit that is not a quantity suffix",
                        "spec: {size: 8GB}",
                        cause("spec.size", "spec.size in body should match")),
                row(
                        "an exponent",
                        "spec: {size: 1e9}",
                        cause("spec.size", "spec.size in body must be of type string"),
                        NOT_CHECKED),
                row(
                        "plain bytes, unquoted",
                        "spec: {size: 1073741824}",
                        cause("spec.size", "spec.size in body must be of type string"),
                        NOT_CHECKED),
                row(
                        "longer than 32 characters",
                        "spec: {size: '000000000000000000000000000000064Mi'}",
                        cause("spec.size", "Too long: may not be more than 32 bytes"),
                        NOT_CHECKED),
                row("no size", "spec: {seedRef: ubuntu}", cause("spec.size", "Required value"), NOT_CHECKED),
                row("no spec", "", cause("spec", "Required value"), NOT_CHECKED),
                row("a seed, a node, a selector, Retain, preallocated", """
                        spec: {size: 8Gi, seedRef: ubuntu-24.04, nodeName: host-3, nodeSelector: {zone: b},
                               reclaimPolicy: Retain, preallocate: true}"""),
                row(
                        "reclaimPolicy not one of the two",
                        "spec: {size: 8Gi, reclaimPolicy: Forever}",
                        cause(
                                "spec.reclaimPolicy",
                                "Unsupported value: \"Forever\": supported values: \"Delete\", \"Retain\""),
                        NOT_CHECKED),
                row(
                        "reclaimPolicy in the wrong case",
                        "spec: {size: 8Gi, reclaimPolicy: delete}",
                        cause("spec.reclaimPolicy", "Unsupported value: \"delete\""),
                        NOT_CHECKED),
                row(
                        "seedRef not a name",
                        "spec: {size: 8Gi, seedRef: Ubuntu_Root}",
                        cause("spec.seedRef", "spec.seedRef in body should match")),
                row(
                        "seedRef of 254 characters",
                        "spec: {size: 8Gi, seedRef: " + "s".repeat(254) + "}",
                        cause("spec.seedRef", "Too long: may not be more than 253 bytes"),
                        NOT_CHECKED),
                row(
                        "nodeName not a node's name",
                        "spec: {size: 8Gi, nodeName: Node A}",
                        cause("spec.nodeName", "spec.nodeName in body should match")),
                row("nodeName a node's full DNS name", "spec: {size: 8Gi, nodeName: host-3.rack-1.example.com}"),
                row(
                        "nodeName of 254 characters",
                        "spec: {size: 8Gi, nodeName: " + "n".repeat(254) + "}",
                        cause("spec.nodeName", "Too long: may not be more than 253 bytes"),
                        NOT_CHECKED),
                row(
                        "nodeSelector value not a string",
                        "spec: {size: 8Gi, nodeSelector: {zone: 1}}",
                        cause("spec.nodeSelector.zone", "must be of type string"),
                        NOT_CHECKED),
                row(
                        "preallocate not a boolean",
                        "spec: {size: 8Gi, preallocate: yes please}",
                        cause("spec.preallocate", "must be of type boolean"),
                        NOT_CHECKED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("newWorkDisks")
    void workDiskCreate(String body, List<Cause> refusal) {
        assertRefusedWith(() -> create("WorkDisk", "subject", body), refusal);
    }

    static Stream<Arguments> workDiskChanges() {
        return Stream.of(
                change("grown", "spec: {size: 1Gi}", "spec: {size: 2Gi}"),
                change("the same size written another way", "spec: {size: 1Gi}", "spec: {size: 1024Mi}"),
                change(
                        "shrunk",
                        "spec: {size: 2Gi}",
                        "spec: {size: 1Gi}",
                        cause("spec.size", "size can only grow: shrinking a filesystem is not supported")),
                change(
                        "shrunk by one byte",
                        "spec: {size: 1Gi}",
                        "spec: {size: '1073741823'}",
                        cause("spec.size", "size can only grow")),
                change(
                        "grown to a word",
                        "spec: {size: 1Gi}",
                        "spec: {size: lots}",
                        cause("spec.size", "spec.size in body should match")),
                change(
                        "changed to a negative size",
                        "spec: {size: 1Gi}",
                        "spec: {size: -1Gi}",
                        cause("spec.size", "spec.size in body should match")),
                change(
                        "grown by half a byte",
                        "spec: {size: 1Gi}",
                        "spec: {size: '1073741824.5'}",
                        cause("spec.size", "size must be a whole number of bytes")),
                change(
                        "grown to 16Ti",
                        "spec: {size: 1Gi}",
                        "spec: {size: 16Ti}",
                        cause("spec.size", "size must be below 16Ti")),
                change(
                        "seedRef set on a blank disk",
                        "spec: {size: 1Gi}",
                        "spec: {size: 1Gi, seedRef: ubuntu}",
                        cause("spec.seedRef", "seedRef is immutable")),
                change(
                        "seedRef changed",
                        "spec: {size: 1Gi, seedRef: ubuntu}",
                        "spec: {size: 1Gi, seedRef: debian}",
                        cause("spec.seedRef", "seedRef is immutable")),
                change(
                        "seedRef removed",
                        "spec: {size: 1Gi, seedRef: ubuntu}",
                        "spec: {size: 1Gi}",
                        cause("spec.seedRef", "seedRef is immutable")),
                change(
                        "seedRef kept, size grown",
                        "spec: {size: 1Gi, seedRef: ubuntu}",
                        "spec: {size: 2Gi, seedRef: ubuntu}"),
                change(
                        "nodeName changed",
                        "spec: {size: 1Gi, nodeName: node-a}",
                        "spec: {size: 1Gi, nodeName: node-b}",
                        cause("spec.nodeName", "nodeName cannot be changed or removed once set")),
                change(
                        "nodeName removed",
                        "spec: {size: 1Gi, nodeName: node-a}",
                        "spec: {size: 1Gi}",
                        cause("spec.nodeName", "nodeName cannot be changed or removed once set")),
                change("nodeName set where it was absent", "spec: {size: 1Gi}", "spec: {size: 1Gi, nodeName: node-a}"),
                change(
                        "nodeName and seedRef changed, size shrunk: every problem once",
                        "spec: {size: 2Gi, seedRef: ubuntu, nodeName: node-a}",
                        "spec: {size: 1Gi, seedRef: debian, nodeName: node-b}",
                        cause("spec.size", "size can only grow"),
                        cause("spec.seedRef", "seedRef is immutable"),
                        cause("spec.nodeName", "nodeName cannot be changed")),
                change(
                        "reclaimPolicy, nodeSelector and preallocate changed",
                        "spec: {size: 1Gi}",
                        "spec: {size: 1Gi, reclaimPolicy: Retain, nodeSelector: {zone: a}, preallocate: true}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workDiskChanges")
    void workDiskUpdate(String before, String after, List<Cause> refusal) {
        GenericKubernetesResource live = create("WorkDisk", "subject", before);
        assertRefusedWith(() -> replaceSpec(live, after), refusal);
    }

    /** On a disk the operator has placed on node-a (status.nodeName), which stays there whatever the spec says. */
    static Stream<Arguments> placedWorkDiskChanges() {
        return Stream.of(
                change("nodeName set to the node it is on", "spec: {size: 1Gi}", "spec: {size: 1Gi, nodeName: node-a}"),
                change(
                        "nodeName set to another node",
                        "spec: {size: 1Gi}",
                        "spec: {size: 1Gi, nodeName: node-b}",
                        cause("spec.nodeName", "nodeName can only be set to node-a, the node the disk is on")),
                change(
                        "nodeName kept, size grown",
                        "spec: {size: 1Gi, nodeName: node-a}",
                        "spec: {size: 2Gi, nodeName: node-a}"),
                change("size grown without a nodeName", "spec: {size: 1Gi}", "spec: {size: 2Gi}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("placedWorkDiskChanges")
    void placedWorkDiskUpdate(String before, String after, List<Cause> refusal) {
        GenericKubernetesResource live = create("WorkDisk", "subject", before);
        live.setAdditionalProperty("status", Map.of("phase", "Ready", "nodeName", "node-a"));
        GenericKubernetesResource placed = kube.resource(live).updateStatus();
        assertRefusedWith(() -> replaceSpec(placed, after), refusal);
    }

    // ---- WorkSeed ----

    static Stream<Arguments> newWorkSeeds() {
        return Stream.of(
                row("a hostPath", "spec: {source: " + HOST_PATH + "}"),
                row(
                        "an http URL and its sha256",
                        "spec: {source: {http: {url: 'https://images.example/rootfs.ext4', sha256: " + SHA + "}}}"),
                row(
                        "a subtree and a selector",
                        "spec: {source: " + HOST_PATH + ", subtree: /home/dev, nodeSelector: {zone: a}}"),
                row("the root directory as subtree", "spec: {source: " + HOST_PATH + ", subtree: /}"),
                row("an image by tag", "spec: {source: " + IMAGE + "}"),
                row(
                        "an image by digest, its platform, plain HTTP, the whole tree with owners kept",
                        "spec: {source: {image: {reference: 'localhost:5000/debian@" + DIGEST
                                + "', platform: linux/arm64/v8, plainHTTP: true}}, subtree: /, ownership: Preserve}"),
                row("an image by tag and digest", "spec: {source: {image: {reference: 'debian:12@" + DIGEST + "'}}}"),
                row("a Docker Hub short name", "spec: {source: {image: {reference: ubuntu}}}"),
                row("an image archive", "spec: {source: {ociArchive: {path: /images/debian.tar}}, ownership: Root}"),
                row(
                        "an image and a hostPath",
                        "spec: {source: {hostPath: {path: /images/rootfs.ext4}, image: {reference: debian}}}",
                        cause("spec.source", ONE_SOURCE)),
                row(
                        "an image and an archive",
                        "spec: {source: {image: {reference: debian}, ociArchive: {path: /images/d.tar}}}",
                        cause("spec.source", ONE_SOURCE)),
                row(
                        "all four sources",
                        "spec: {source: {hostPath: {path: /i/r.ext4}, http: {url: 'https://x/r', sha256: " + SHA
                                + "}, image: {reference: debian}, ociArchive: {path: /i/d.tar}}}",
                        cause("spec.source", ONE_SOURCE)),
                row(
                        "an image without reference",
                        "spec: {source: {image: {platform: linux/amd64}}}",
                        cause("spec.source.image.reference", "Required value"),
                        NOT_CHECKED),
                row(
                        "an image reference with capitals in its path",
                        "spec: {source: {image: {reference: 'registry.example/Debian:12'}}}",
                        cause("spec.source.image.reference", "spec.source.image.reference in body should match")),
                row(
                        "an image reference with a URL scheme",
                        "spec: {source: {image: {reference: 'https://registry.example/debian'}}}",
                        cause("spec.source.image.reference", "spec.source.image.reference in body should match")),
                row(
                        "an image reference with a short digest",
                        "spec: {source: {image: {reference: 'debian@sha256:abc'}}}",
                        cause("spec.source.image.reference", "spec.source.image.reference in body should match")),
                row(
                        "an image reference with an empty tag",
                        "spec: {source: {image: {reference: 'debian:'}}}",
                        cause("spec.source.image.reference", "spec.source.image.reference in body should match")),
                row(
                        "an image reference of 513 characters",
                        "spec: {source: {image: {reference: '" + "d".repeat(513) + "'}}}",
                        cause("spec.source.image.reference", "Too long: may not be more than 512 bytes"),
                        NOT_CHECKED),
                row(
                        "a platform without an architecture",
                        "spec: {source: {image: {reference: debian, platform: linux}}}",
                        cause("spec.source.image.platform", "spec.source.image.platform in body should match")),
                row(
                        "a platform in capitals",
                        "spec: {source: {image: {reference: debian, platform: Linux/AMD64}}}",
                        cause("spec.source.image.platform", "spec.source.image.platform in body should match")),
                row(
                        "plainHTTP not a boolean",
                        "spec: {source: {image: {reference: debian, plainHTTP: sometimes}}}",
                        cause("spec.source.image.plainHTTP", "must be of type boolean"),
                        NOT_CHECKED),
                row(
                        "a relative archive path",
                        "spec: {source: {ociArchive: {path: images/debian.tar}}}",
                        cause("spec.source.ociArchive.path", "should match '^/'")),
                row(
                        "an archive without path",
                        "spec: {source: {ociArchive: {}}}",
                        cause("spec.source.ociArchive.path", "Required value"),
                        NOT_CHECKED),
                row(
                        "ownership not one of the two",
                        "spec: {source: " + IMAGE + ", ownership: Keep}",
                        cause(
                                "spec.ownership",
                                "Unsupported value: \"Keep\": supported values: \"Preserve\", \"Root\""),
                        NOT_CHECKED),
                row(
                        "ownership in the wrong case",
                        "spec: {source: " + IMAGE + ", ownership: preserve}",
                        cause("spec.ownership", "Unsupported value: \"preserve\""),
                        NOT_CHECKED),
                row(
                        "both sources",
                        "spec: {source: {hostPath: {path: /images/rootfs.ext4}, http: {url: 'https://x/r.ext4', sha256: "
                                + SHA + "}}}",
                        cause("spec.source", ONE_SOURCE)),
                row("no source inside source", "spec: {source: {}}", cause("spec.source", ONE_SOURCE)),
                row("no source", "spec: {subtree: /root}", cause("spec.source", "Required value"), NOT_CHECKED),
                row("no spec", "", cause("spec", "Required value"), NOT_CHECKED),
                row(
                        "a relative hostPath",
                        "spec: {source: {hostPath: {path: images/rootfs.ext4}}}",
                        cause("spec.source.hostPath.path", "should match '^/'")),
                row(
                        "a hostPath without path",
                        "spec: {source: {hostPath: {}}}",
                        cause("spec.source.hostPath.path", "Required value"),
                        NOT_CHECKED),
                row(
                        "a hostPath of 4097 characters",
                        "spec: {source: {hostPath: {path: /" + "p".repeat(4096) + "}}}",
                        cause("spec.source.hostPath.path", "Too long: may not be more than 4096 bytes"),
                        NOT_CHECKED),
                row(
                        "an ftp URL",
                        "spec: {source: {http: {url: 'ftp://x/r.ext4', sha256: " + SHA + "}}}",
                        cause("spec.source.http.url", "should match '^https?://'")),
                row(
                        "a file URL",
                        "spec: {source: {http: {url: 'file:///etc/shadow', sha256: " + SHA + "}}}",
                        cause("spec.source.http.url", "should match '^https?://'")),
                row(
                        "a URL of 2049 characters",
                        "spec: {source: {http: {url: 'https://" + "u".repeat(2041) + "', sha256: " + SHA + "}}}",
                        cause("spec.source.http.url", "Too long: may not be more than 2048 bytes"),
                        NOT_CHECKED),
                row(
                        "an http source without sha256",
                        "spec: {source: {http: {url: 'https://x/r.ext4'}}}",
                        cause("spec.source.http.sha256", "Required value"),
                        NOT_CHECKED),
                row(
                        "an http source without url",
                        "spec: {source: {http: {sha256: " + SHA + "}}}",
                        cause("spec.source.http.url", "Required value"),
                        NOT_CHECKED),
                row(
                        "an upper-case sha256",
                        "spec: {source: {http: {url: 'https://x/r.ext4', sha256: " + "A".repeat(64) + "}}}",
                        cause("spec.source.http.sha256", "should match '^[a-f0-9]{64}$'")),
                row(
                        "a sha256 of 63 digits",
                        "spec: {source: {http: {url: 'https://x/r.ext4', sha256: " + "a".repeat(63) + "}}}",
                        cause("spec.source.http.sha256", "should match '^[a-f0-9]{64}$'")),
                row(
                        "a relative subtree",
                        "spec: {source: " + HOST_PATH + ", subtree: root}",
                        cause("spec.subtree", "should match '^/'")),
                row(
                        "a subtree of 4097 characters",
                        "spec: {source: " + HOST_PATH + ", subtree: /" + "s".repeat(4096) + "}",
                        cause("spec.subtree", "Too long: may not be more than 4096 bytes"),
                        NOT_CHECKED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("newWorkSeeds")
    void workSeedCreate(String body, List<Cause> refusal) {
        assertRefusedWith(() -> create("WorkSeed", "subject", body), refusal);
    }

    static Stream<Arguments> workSeedChanges() {
        return Stream.of(
                change(
                        "source switched from hostPath to http",
                        "spec: {source: " + HOST_PATH + "}",
                        "spec: {source: {http: {url: 'https://x/r.ext4', sha256: " + SHA + "}}}"),
                change(
                        "source switched from hostPath to an image",
                        "spec: {source: " + HOST_PATH + "}",
                        "spec: {source: " + IMAGE + ", subtree: /, ownership: Preserve}"),
                change(
                        "an image's tag changed",
                        "spec: {source: " + IMAGE + "}",
                        "spec: {source: {image: {reference: 'registry.example:5000/base/debian:13'}}}"),
                change(
                        "an archive added beside the image",
                        "spec: {source: " + IMAGE + "}",
                        "spec: {source: {image: {reference: debian}, ociArchive: {path: /i/d.tar}}}",
                        cause("spec.source", ONE_SOURCE)),
                change(
                        "http added beside hostPath",
                        "spec: {source: " + HOST_PATH + "}",
                        "spec: {source: {hostPath: {path: /images/rootfs.ext4}, http: {url: 'https://x/r.ext4', sha256: "
                                + SHA + "}}}",
                        cause("spec.source", ONE_SOURCE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workSeedChanges")
    void workSeedUpdate(String before, String after, List<Cause> refusal) {
        GenericKubernetesResource live = create("WorkSeed", "subject", before);
        assertRefusedWith(() -> replaceSpec(live, after), refusal);
    }

    // ---- WorkTask (written by the operator, but nothing stops anyone else with the rights) ----

    static final String TASK = "nodeName: node-a, type: Format, path: disks/x.ext4, requester: uid-1";

    static Stream<Arguments> newWorkTasks() {
        return Stream.of(
                row("a format task", "spec: {" + TASK + ", sizeBytes: 1073741824}"),
                row(
                        "a build-seed task",
                        "spec: {nodeName: node-a, type: BuildSeed, path: seeds/s.ext4, requester: uid-1, source: "
                                + HOST_PATH + ", subtree: /root}"),
                row(
                        "a resolve-image task",
                        "spec: {nodeName: node-a, type: ResolveImage, path: seeds/s.ext4, requester: uid-1, source: "
                                + IMAGE + "}"),
                row(
                        "a build-seed task from an image by digest, owners kept",
                        "spec: {nodeName: node-a, type: BuildSeed, path: seeds/s.ext4, requester: uid-1, source: "
                                + "{image: {reference: 'debian@" + DIGEST + "'}}, subtree: /, ownership: Preserve}"),
                row("no spec", "", cause("spec", "Required value"), NOT_CHECKED),
                row(
                        "no node",
                        "spec: {type: Format, path: disks/x.ext4, requester: uid-1}",
                        cause("spec.nodeName", "Required value"),
                        NOT_CHECKED),
                row(
                        "no type",
                        "spec: {nodeName: node-a, path: disks/x.ext4, requester: uid-1}",
                        cause("spec.type", "Required value"),
                        NOT_CHECKED),
                row(
                        "no path",
                        "spec: {nodeName: node-a, type: Format, requester: uid-1}",
                        cause("spec.path", "Required value"),
                        NOT_CHECKED),
                row(
                        "no requester",
                        "spec: {nodeName: node-a, type: Format, path: disks/x.ext4}",
                        cause("spec.requester", "Required value"),
                        NOT_CHECKED),
                row(
                        "a type that is no engine step",
                        "spec: {nodeName: node-a, type: Shred, path: disks/x.ext4, requester: uid-1}",
                        cause(
                                "spec.type",
                                "Unsupported value: \"Shred\": supported values: \"BuildSeed\", \"Delete\", "
                                        + "\"Format\", \"Materialize\", \"Resize\", \"ResolveImage\""),
                        NOT_CHECKED),
                row(
                        "a size that is not a number of bytes",
                        "spec: {" + TASK + ", sizeBytes: 1Gi}",
                        cause("spec.sizeBytes", "must be of type integer"),
                        NOT_CHECKED),
                row(
                        "both sources",
                        "spec: {" + TASK + ", source: {hostPath: {path: /i/r.ext4}, http: {url: 'https://x/r', sha256: "
                                + SHA + "}}}",
                        cause("spec.source", ONE_SOURCE)),
                row("no source inside source", "spec: {" + TASK + ", source: {}}", cause("spec.source", ONE_SOURCE)),
                row(
                        "a relative hostPath",
                        "spec: {" + TASK + ", source: {hostPath: {path: i/r.ext4}}}",
                        cause("spec.source.hostPath.path", "should match '^/'")),
                row(
                        "a file URL",
                        "spec: {" + TASK + ", source: {http: {url: 'file:///etc/shadow', sha256: " + SHA + "}}}",
                        cause("spec.source.http.url", "should match '^https?://'")),
                row(
                        "an upper-case sha256",
                        "spec: {" + TASK + ", source: {http: {url: 'https://x/r', sha256: " + "A".repeat(64) + "}}}",
                        cause("spec.source.http.sha256", "should match")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("newWorkTasks")
    void workTaskCreate(String body, List<Cause> refusal) {
        assertRefusedWith(() -> create("WorkTask", "subject", body), refusal);
    }

    // ---- status written by the agents, through the status subresource ----

    static Stream<Arguments> statuses() {
        return Stream.of(
                of(
                        "a task's result",
                        "WorkTask",
                        "status: {phase: Succeeded, result: {sizeBytes: 1073741824, existed: false}}"),
                of(
                        "a task phase that is not one",
                        "WorkTask",
                        "status: {phase: Done}",
                        cause(
                                "status.phase",
                                "Unsupported value: \"Done\": supported values: \"Failed\", \"Pending\", "
                                        + "\"Running\", \"Succeeded\""),
                        NOT_CHECKED),
                of(
                        "a node's report",
                        "WorkNode",
                        "status: {capacityBytes: 1099511627776, freeBytes: 0, disks: 3, seeds: [ubuntu],"
                                + " conditions: [{type: Ready, status: 'True', reason: Ready, message: ok}]}"),
                of(
                        "a node's capacity as a quantity",
                        "WorkNode",
                        "status: {capacityBytes: 1Ti}",
                        cause("status.capacityBytes", "must be of type integer")),
                of(
                        "a node's disks counted as a fraction",
                        "WorkNode",
                        "status: {disks: 1.5}",
                        cause("status.disks", "must be of type integer")),
                of(
                        "a node's seeds not a list",
                        "WorkNode",
                        "status: {seeds: ubuntu}",
                        cause("status.seeds", "must be of type array")),
                of(
                        "a disk phase that is not one",
                        "WorkDisk",
                        "status: {phase: Done}",
                        cause("status.phase", "Unsupported value: \"Done\""),
                        NOT_CHECKED),
                of(
                        "a running build's progress",
                        "WorkTask",
                        "status: {phase: Running, progress: {bytesFetched: 1024, bytesTotal: 4096, entriesWritten: 7}}"),
                of(
                        "progress counted in quantities",
                        "WorkTask",
                        "status: {phase: Running, progress: {bytesFetched: 1Ki}}",
                        cause("status.progress.bytesFetched", "must be of type integer"),
                        NOT_CHECKED),
                of(
                        "a seed resolved, a node building with progress",
                        "WorkSeed",
                        "status: {resolvedImage: {reference: 'debian:12', digest: '" + DIGEST + "', resolvedAt: "
                                + "'2026-11-25T16:27:40Z', node: node-a}, progress: 'node-a 1Ki/4Ki, 7 entries', nodes: "
                                + "[{node: node-a, phase: Building, imageDigest: '" + DIGEST + "', progress: "
                                + "{bytesFetched: 1024, bytesTotal: 4096, entriesWritten: 7}}]}"),
                of(
                        "a seed's node entry without a list",
                        "WorkSeed",
                        "status: {nodes: {node: node-a}}",
                        cause("status.nodes", "must be of type array"),
                        NOT_CHECKED));
    }

    /** Each kind's status as its writer puts it: on an object that exists, through the status subresource. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("statuses")
    void statusUpdate(String kind, String body, List<Cause> refusal) {
        GenericKubernetesResource live = create(kind, "subject", validSpec(kind));
        live.setAdditionalProperty(
                "status",
                Serialization.unmarshal(body, GenericKubernetesResource.class)
                        .getAdditionalProperties()
                        .get("status"));
        assertRefusedWith(() -> kube.resource(live).updateStatus(), refusal);
    }

    // ---- names ----

    static Stream<Arguments> names() {
        String rfc1123 = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters";
        return Stream.of(
                of("a WorkDisk named like a DNS name", "WorkDisk", "dev-vm.team-a"),
                of("a WorkDisk with capitals and an underscore", "WorkDisk", "Dev_VM", cause("metadata.name", rfc1123)),
                of("a WorkDisk name starting with a dash", "WorkDisk", "-dev", cause("metadata.name", rfc1123)),
                of(
                        "a WorkDisk name of 254 characters",
                        "WorkDisk",
                        "d".repeat(254),
                        cause("metadata.name", "must be no more than 253 characters")),
                of("a WorkSeed name with a space", "WorkSeed", "ubuntu root", cause("metadata.name", rfc1123)),
                of("a WorkSeed name of 253 characters", "WorkSeed", "s".repeat(253)),
                of("a WorkNode name with a slash", "WorkNode", "node/a", cause("metadata.name", rfc1123)),
                of("a WorkTask name ending with a dot", "WorkTask", "task.", cause("metadata.name", rfc1123)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void objectNames(String kind, String name, List<Cause> refusal) {
        assertRefusedWith(() -> create(kind, name, validSpec(kind)), refusal);
    }

    // ---- helpers ----

    /** The smallest spec each kind accepts (WorkNode has none). */
    static String validSpec(String kind) {
        return switch (kind) {
            case "WorkDisk" -> "spec: {size: 1Gi}";
            case "WorkSeed" -> "spec: {source: " + HOST_PATH + "}";
            case "WorkTask" -> "spec: {" + TASK + "}";
            default -> "";
        };
    }

    GenericKubernetesResource create(String kind, String name, String body) {
        boolean namespaced = kind.equals("WorkDisk") || kind.equals("WorkTask");
        String metadata = namespaced ? "{name: '" + name + "', namespace: default}" : "{name: '" + name + "'}";
        String yaml = "apiVersion: workdisk.io/v1alpha1\nkind: " + kind + "\nmetadata: " + metadata + "\n" + body;
        GenericKubernetesResource created = kube.resource(
                        Serialization.unmarshal(yaml, GenericKubernetesResource.class))
                .create();
        made.add(created);
        return created;
    }

    /** A full update (PUT), as kubectl replace or edit sends it, with only the spec changed. */
    void replaceSpec(GenericKubernetesResource live, String body) {
        GenericKubernetesResource changed = Serialization.unmarshal(body, GenericKubernetesResource.class);
        live.setAdditionalProperty("spec", changed.getAdditionalProperties().get("spec"));
        kube.resource(live).update();
    }

    /** Accepted when no causes are expected; otherwise refused (422) with exactly those causes. */
    static void assertRefusedWith(Runnable write, List<Cause> expected) {
        if (expected.isEmpty()) {
            assertThatCode(write::run).doesNotThrowAnyException();
            return;
        }
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, write::run);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
        String message = e.getStatus().getMessage();
        List<StatusCause> causes = e.getStatus().getDetails().getCauses();
        assertThat(causes).as("the user reads: %s", message).hasSameSizeAs(expected);
        for (Cause c : expected) {
            assertThat(causes).as("the user reads: %s", message).anyMatch(c::matches);
        }
        for (StatusCause c : causes) {
            assertThat(message).as("the top-level message carries every cause").contains(c.getMessage());
        }
    }
}

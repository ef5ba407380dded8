package io.workdisk.agent.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an image archive in place, without unpacking it: an OCI image layout tar ({@code oci-layout},
 * {@code index.json}, {@code blobs/}), which newer {@code docker save} also writes, or the older
 * {@code docker save} tar ({@code manifest.json}, {@code <id>/layer.tar}). One pass lists where each
 * member's bytes are; the small JSON documents are read from there and verified against their digests;
 * layers are left where they are, as slices of the archive, and verified as they are applied.
 * Indexes are followed like a registry's: the manifest for the wanted platform, nested indexes at most
 * a few levels deep, a manifest that leads back to itself refused.
 */
public final class OciArchive {
    static final long MAX_JSON_BYTES = 4L << 20;
    static final int MAX_MEMBERS = 1_000_000;
    private static final int MAX_INDEX_DEPTH = 4;
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    private final ObjectMapper json = new ObjectMapper();
    private final Path archive;
    private final FileChannel channel;
    private final Map<String, long[]> members;

    private OciArchive(Path archive, FileChannel channel, Map<String, long[]> members) {
        this.archive = archive;
        this.channel = channel;
        this.members = members;
    }

    /** The image for {@code platform} in the archive at {@code path}. */
    public static ImageLayers read(Path path, Platform platform) throws EngineException {
        if (!Files.isRegularFile(path)) {
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE, "image archive " + ConfinedRoot.quoted(path) + " is not a regular file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            byte[] head = new byte[4];
            channel.read(ByteBuffer.wrap(head), 0);
            if (!Compression.sniff(head).equals(Compression.OCI_TAR)) {
                throw new EngineException(
                        Problem.INVALID_IMAGE,
                        "image archive " + ConfinedRoot.quoted(path) + " is compressed; decompress it first (layers are"
                                + " read in place, which needs a plain tar)");
            }
            OciArchive a = new OciArchive(path, channel, index(path, channel));
            if (a.members.containsKey("oci-layout") && a.members.containsKey("index.json")) {
                return a.ociLayout(platform);
            }
            if (a.members.containsKey("manifest.json")) {
                return a.dockerSave(platform);
            }
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    ConfinedRoot.quoted(path)
                            + " is neither an OCI image layout (oci-layout, index.json) nor a docker save"
                            + " archive (manifest.json)");
        } catch (TarReader.TarFormatException e) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "image archive " + ConfinedRoot.quoted(path) + " is not a valid tar: " + ErrorText.of(e),
                    e);
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE,
                    "cannot read image archive " + ConfinedRoot.quoted(path) + ": " + ErrorText.of(e),
                    e);
        }
    }

    /** Where each regular member's bytes are: name without "./" to {offset, size}. Later members win, as in tar. */
    private static Map<String, long[]> index(Path path, FileChannel channel) throws IOException, EngineException {
        Map<String, long[]> members = new HashMap<>();
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        TarReader reader = new TarReader(in);
        int count = 0;
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
            if (++count > MAX_MEMBERS) {
                throw new EngineException(
                        Problem.INVALID_IMAGE, "image archive has more than " + MAX_MEMBERS + " members");
            }
            if (e.name() == null) {
                continue;
            }
            String name = e.name();
            while (name.startsWith("./")) {
                name = name.substring(2);
            }
            if (e.isRegular()) {
                members.put(name, new long[] {reader.dataOffset(), e.size()});
            } else {
                members.remove(name);
            }
        }
        in.close();
        return members;
    }

    private ImageLayers ociLayout(Platform platform) throws IOException, EngineException {
        JsonNode layout = document("oci-layout", "oci-layout");
        if (!layout.path("imageLayoutVersion").isTextual()) {
            throw new EngineException(Problem.INVALID_IMAGE, "oci-layout names no imageLayoutVersion");
        }
        JsonNode index = document("index.json", "index.json");
        List<String> offered = new ArrayList<>();
        String manifestDigest = choose(index, platform, 0, new HashSet<>(), "index.json", offered);
        if (manifestDigest == null) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "the archive has no image for " + platform
                            + (offered.isEmpty() ? "" : " (it has " + String.join(", ", offered) + ")"));
        }
        JsonNode manifest = blob(manifestDigest, "manifest", -1);
        String mediaType = manifest.path("mediaType").asText(OCI_MANIFEST);
        if (!mediaType.equals(OCI_MANIFEST) && !mediaType.equals(DOCKER_MANIFEST)) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "manifest " + manifestDigest + " has media type '" + mediaType + "', not an image manifest");
        }
        JsonNode configDescriptor = manifest.path("config");
        String configDigest = Digests.check(configDescriptor.path("digest").asText(null), "the manifest's config");
        JsonNode config =
                blob(configDigest, "config", configDescriptor.path("size").asLong(-1));
        List<Layer> layers = new ArrayList<>();
        for (JsonNode d : manifest.path("layers")) {
            String digest = Digests.check(d.path("digest").asText(null), "a layer of manifest " + manifestDigest);
            String type = d.path("mediaType").asText(null);
            Compression.of(type);
            long[] where = member(Digests.blobPath(digest), "layer " + digest);
            long declared = d.path("size").asLong(-1);
            if (declared != where[1]) {
                throw new EngineException(
                        Problem.CORRUPT_IMAGE,
                        "layer " + digest + " is " + where[1] + " bytes in the archive but the manifest says "
                                + declared);
            }
            layers.add(Layer.inArchive(digest, type, archive, where[0], where[1]));
        }
        return new ImageLayers(
                manifestDigest, configDigest, platform.toString(), withDiffIds(layers, config, configDigest));
    }

    /**
     * The digest of the manifest for {@code platform} below an index, following nested indexes; null when
     * there is none, with the platforms seen added to {@code offered}.
     */
    private String choose(
            JsonNode index, Platform platform, int depth, Set<String> seen, String where, List<String> offered)
            throws IOException, EngineException {
        if (depth > MAX_INDEX_DEPTH) {
            throw new EngineException(
                    Problem.INVALID_IMAGE, "image indexes nest deeper than " + MAX_INDEX_DEPTH + " levels");
        }
        List<String> candidates = new ArrayList<>();
        for (JsonNode d : index.path("manifests")) {
            String digest = Digests.check(d.path("digest").asText(null), "an entry of " + where);
            String type = d.path("mediaType").asText("");
            if (candidates.contains(digest)) {
                continue; // the same manifest under a second tag
            }
            if (type.equals(OCI_INDEX) || type.equals(DOCKER_LIST)) {
                if (!seen.add(digest)) {
                    throw new EngineException(
                            Problem.INVALID_IMAGE,
                            where + " leads back to index " + digest + ", which refers to itself");
                }
                JsonNode nested = blob(digest, "index", d.path("size").asLong(-1));
                String found = choose(nested, platform, depth + 1, seen, "index " + digest, offered);
                if (found != null) {
                    candidates.add(found);
                }
                continue;
            }
            if (!type.equals(OCI_MANIFEST) && !type.equals(DOCKER_MANIFEST)) {
                continue; // artifacts, signatures
            }
            JsonNode p = d.path("platform");
            String os;
            String arch;
            String variant;
            if (p.isObject()) {
                os = p.path("os").asText("");
                arch = p.path("architecture").asText("");
                variant = p.path("variant").asText("");
            } else {
                JsonNode manifest = blob(digest, "manifest", d.path("size").asLong(-1));
                JsonNode cd = manifest.path("config");
                JsonNode config = blob(
                        Digests.check(cd.path("digest").asText(null), "the config of manifest " + digest),
                        "config",
                        cd.path("size").asLong(-1));
                os = config.path("os").asText("");
                arch = config.path("architecture").asText("");
                variant = config.path("variant").asText("");
            }
            offered.add(os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant));
            if (platform.accepts(new Platform(os, arch, variant.isEmpty() ? null : variant))) {
                candidates.add(digest);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        if (candidates.size() > 1) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "the archive has " + candidates.size() + " images for " + platform + "; it must hold one");
        }
        return candidates.get(0);
    }

    private ImageLayers dockerSave(Platform platform) throws IOException, EngineException {
        JsonNode manifests = document("manifest.json", "manifest.json");
        List<JsonNode> chosen = new ArrayList<>();
        List<String> offered = new ArrayList<>();
        Map<JsonNode, JsonNode> configs = new HashMap<>();
        for (JsonNode m : manifests) {
            String configName = m.path("Config").asText("");
            JsonNode config = document(configName, "config " + configName);
            String os = config.path("os").asText("");
            String arch = config.path("architecture").asText("");
            String variant = config.path("variant").asText("");
            offered.add(os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant));
            if (platform.accepts(new Platform(os, arch, variant.isEmpty() ? null : variant))) {
                chosen.add(m);
                configs.put(m, config);
            }
        }
        if (chosen.size() != 1) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "the docker save archive has " + chosen.size() + " images for " + platform + " (it has "
                            + (offered.isEmpty() ? "none" : String.join(", ", offered)) + "); it must hold one");
        }
        JsonNode m = chosen.get(0);
        String configName = m.path("Config").asText();
        long[] configWhere = member(configName, "config " + configName);
        String configDigest = Digests.of("sha256:", bytes(configWhere, configName));
        String namedHex = configName.replaceFirst("^blobs/sha256/", "").replaceFirst("\\.json$", "");
        if (!configDigest.equals("sha256:" + namedHex)) {
            throw new EngineException(
                    Problem.CORRUPT_IMAGE,
                    "config " + configName + " does not match the digest its name gives (" + configDigest + ")");
        }
        JsonNode diffIds = configs.get(m).path("rootfs").path("diff_ids");
        JsonNode names = m.path("Layers");
        if (diffIds.size() != names.size()) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "manifest.json lists " + names.size() + " layers but the config " + diffIds.size() + " diff IDs");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).asText();
            String diffId = Digests.check(diffIds.get(i).asText(null), "diff ID " + (i + 1) + " of the config");
            long[] where = member(name, "layer " + name);
            byte[] head = new byte[4];
            channel.read(ByteBuffer.wrap(head), where[0]);
            String type = Compression.sniff(head);
            String digest;
            if (name.startsWith("blobs/sha256/")) {
                digest = Digests.check("sha256:" + name.substring("blobs/sha256/".length()), "layer " + name);
            } else if (type.equals(Compression.OCI_TAR)) {
                digest = diffId; // an uncompressed layer's digest is its diff ID
            } else {
                throw new EngineException(
                        Problem.INVALID_IMAGE,
                        "layer " + name + " is compressed but its archive names no digest for it");
            }
            layers.add(
                    Layer.inArchive(digest, type, archive, where[0], where[1]).withDiffId(diffId));
        }
        return new ImageLayers(configDigest, configDigest, platform.toString(), layers);
    }

    private List<Layer> withDiffIds(List<Layer> layers, JsonNode config, String configDigest) throws EngineException {
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        if (diffIds.size() != layers.size()) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "config " + configDigest + " lists " + diffIds.size() + " diff IDs for " + layers.size()
                            + " layers");
        }
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            out.add(layers.get(i).withDiffId(Digests.check(diffIds.get(i).asText(null), "diff ID " + (i + 1))));
        }
        return out;
    }

    /** A JSON blob by digest, its bytes verified against it (and against the declared size, when one is). */
    private JsonNode blob(String digest, String what, long declaredSize) throws IOException, EngineException {
        long[] where = member(Digests.blobPath(digest), what + " " + digest);
        if (declaredSize >= 0 && declaredSize != where[1]) {
            throw new EngineException(
                    Problem.CORRUPT_IMAGE,
                    what + " " + digest + " is " + where[1] + " bytes but its descriptor says " + declaredSize);
        }
        byte[] data = bytes(where, what + " " + digest);
        String got = Digests.of(digest, data);
        if (!got.equals(digest)) {
            throw new EngineException(
                    Problem.CORRUPT_IMAGE, what + " " + digest + " does not match its digest (got " + got + ")");
        }
        return parse(data, what + " " + digest);
    }

    private JsonNode document(String name, String what) throws IOException, EngineException {
        return parse(bytes(member(name, what), what), what);
    }

    private JsonNode parse(byte[] data, String what) throws EngineException {
        try {
            return json.readTree(data);
        } catch (IOException e) {
            throw new EngineException(Problem.INVALID_IMAGE, what + " is not valid JSON: " + ErrorText.of(e), e);
        }
    }

    private long[] member(String name, String what) throws EngineException {
        long[] where = members.get(name);
        if (where == null) {
            throw new EngineException(Problem.INVALID_IMAGE, "the archive lacks " + what + " (" + name + ")");
        }
        return where;
    }

    private byte[] bytes(long[] where, String what) throws IOException, EngineException {
        if (where[1] > MAX_JSON_BYTES) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    what + " is " + where[1] + " bytes; documents over " + MAX_JSON_BYTES + " are refused");
        }
        ByteBuffer b = ByteBuffer.allocate((int) where[1]);
        while (b.hasRemaining()) {
            if (channel.read(b, where[0] + b.position()) < 0) {
                throw new EngineException(Problem.CORRUPT_IMAGE, what + " is cut short");
            }
        }
        return b.array();
    }
}

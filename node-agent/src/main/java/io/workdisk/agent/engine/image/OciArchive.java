package io.workdisk.agent.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.BlobSource;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Descriptor;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.Document;
import io.workdisk.agent.engine.oci.ImageManifest;
import io.workdisk.agent.engine.oci.IndexWalk;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.oci.Platform;
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
import java.util.List;
import java.util.Map;

/**
 * Reads an image archive in place, without unpacking it: an OCI image layout tar ({@code oci-layout},
 * {@code index.json}, {@code blobs/}), which newer {@code docker save} also writes, or the older
 * {@code docker save} tar ({@code manifest.json}, {@code <id>/layer.tar}). One pass lists where each
 * member's bytes are; the small JSON documents are read from there and verified against their digests;
 * layers are left where they are, as slices of the archive, and verified as they are applied.
 * Indexes are followed by the same {@link IndexWalk} as a registry's, this archive the source of its
 * documents.
 */
public final class OciArchive implements BlobSource {
    static final long MAX_JSON_BYTES = IndexWalk.MAX_DOCUMENT_BYTES;
    static final int MAX_MEMBERS = 1_000_000;

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
            if (!Compression.sniff(head).equals(MediaTypes.OCI_LAYER)) {
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
        byte[] index = bytes(member("index.json", "index.json"), "index.json");
        IndexWalk.Found found = IndexWalk.walk(this, Document.unnamed(index, "index.json"), platform);
        String what = "manifest " + found.digest() + " of " + name();
        ImageManifest manifest = found.manifest();
        manifest.requireLayerTypes(what, false);
        Descriptor configDescriptor = manifest.config();
        JsonNode config = parse(
                fetch(configDescriptor, "config " + configDescriptor.digest()).bytes(), "config");
        List<Layer> layers = new ArrayList<>();
        for (Descriptor d : manifest.layers()) {
            long[] where = member(d.digest().layoutPath(), "layer " + d.digest());
            if (d.size() != where[1]) {
                throw new EngineException(
                        Problem.CORRUPT_IMAGE,
                        "layer " + d.digest() + " is " + where[1] + " bytes in the archive but the manifest says "
                                + d.size());
            }
            layers.add(Layer.inArchive(d.digest(), d.mediaType(), archive, where[0], where[1]));
        }
        return new ImageLayers(
                found.digest().toString(),
                configDescriptor.digest().toString(),
                platform.toString(),
                withDiffIds(layers, config, configDescriptor.digest()));
    }

    /** A document of the layout by digest: {@code blobs/<algorithm>/<hex>}, its bytes verified. */
    @Override
    public Document fetch(Descriptor descriptor, String what) throws EngineException {
        try {
            long[] where = member(descriptor.digest().layoutPath(), what);
            byte[] data = descriptor.digest().verify(bytes(where, what), what);
            return Document.named(descriptor.digest(), data, descriptor.mediaType(), what);
        } catch (IOException e) {
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE,
                    "cannot read " + what + " from image archive " + ConfinedRoot.quoted(archive) + ": "
                            + ErrorText.of(e),
                    e);
        }
    }

    @Override
    public String name() {
        return "image archive " + ConfinedRoot.quoted(archive);
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
        Digest configDigest = Digest.sha256Of(bytes(configWhere, configName));
        String namedHex = configName.replaceFirst("^blobs/sha256/", "").replaceFirst("\\.json$", "");
        if (!configDigest.hex().equals(namedHex)) {
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
            Digest diffId = Digest.parse(diffIds.get(i).asText(null), "diff ID " + (i + 1) + " of the config");
            long[] where = member(name, "layer " + name);
            byte[] head = new byte[4];
            channel.read(ByteBuffer.wrap(head), where[0]);
            String type = Compression.sniff(head);
            Digest digest;
            if (name.startsWith("blobs/sha256/")) {
                digest = Digest.parse("sha256:" + name.substring("blobs/sha256/".length()), "layer " + name);
            } else if (type.equals(MediaTypes.OCI_LAYER)) {
                digest = diffId; // an uncompressed layer's digest is its diff ID
            } else {
                throw new EngineException(
                        Problem.INVALID_IMAGE,
                        "layer " + name + " is compressed but its archive names no digest for it");
            }
            layers.add(
                    Layer.inArchive(digest, type, archive, where[0], where[1]).withDiffId(diffId));
        }
        return new ImageLayers(configDigest.toString(), configDigest.toString(), platform.toString(), layers);
    }

    private List<Layer> withDiffIds(List<Layer> layers, JsonNode config, Digest configDigest) throws EngineException {
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        if (diffIds.size() != layers.size()) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "config " + configDigest + " lists " + diffIds.size() + " diff IDs for " + layers.size()
                            + " layers");
        }
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            out.add(layers.get(i).withDiffId(Digest.parse(diffIds.get(i).asText(null), "diff ID " + (i + 1))));
        }
        return out;
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

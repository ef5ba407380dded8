package io.workdisk.agent.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test images written by hand: layer tars (made by real tar or {@link TarWriter}) compressed with the
 * real gzip and zstd, blobs named by their digests, a config with the diff IDs, a manifest, index.json
 * and oci-layout; then the layout packed into one archive with real tar.
 */
final class OciLayouts {
    static final ObjectMapper JSON = new ObjectMapper();

    private OciLayouts() {}

    /** A layer tar on disk and how to store it. */
    record LayerFile(Path tar, String compression) {}

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digest of the file, as a layer names it. */
    static Digest digest(Path file) throws IOException {
        return Digest.ofHex(sha256(file).substring("sha256:".length()));
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compresses a layer tar with the real tool; returns the stored file and its media type. */
    static Map.Entry<Path, String> store(LayerFile layer) throws IOException {
        return switch (layer.compression()) {
            case "gzip" -> {
                Shell.ok("gzip", "-k", "-f", "-n", layer.tar().toString());
                yield Map.entry(Path.of(layer.tar() + ".gz"), MediaTypes.OCI_LAYER_GZIP);
            }
            case "zstd" -> {
                Shell.ok("zstd", "-q", "-f", layer.tar().toString(), "-o", layer.tar() + ".zst");
                yield Map.entry(Path.of(layer.tar() + ".zst"), MediaTypes.OCI_LAYER_ZSTD);
            }
            default -> Map.entry(layer.tar(), MediaTypes.OCI_LAYER);
        };
    }

    /** Writes an OCI image layout directory for linux/{@code arch}; returns the manifest digest. */
    static String layout(Path dir, List<LayerFile> layers, String arch) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        List<Map<String, Object>> descriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (LayerFile l : layers) {
            diffIds.add(sha256(l.tar()));
            Map.Entry<Path, String> stored = store(l);
            String digest = sha256(stored.getKey());
            Files.copy(
                    stored.getKey(),
                    blobs.resolve(digest.substring(7)),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            descriptors.add(descriptor(stored.getValue(), digest, Files.size(stored.getKey())));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", arch);
        config.put("os", "linux");
        config.put("config", Map.of());
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        Map<String, Object> configDesc =
                writeBlob(blobs, "application/vnd.oci.image.config.v1+json", JSON.writeValueAsBytes(config));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", configDesc);
        manifest.put("layers", descriptors);
        Map<String, Object> manifestDesc =
                writeBlob(blobs, "application/vnd.oci.image.manifest.v1+json", JSON.writeValueAsBytes(manifest));
        manifestDesc.put("annotations", Map.of("org.opencontainers.image.ref.name", "latest"));
        Files.write(
                dir.resolve("index.json"),
                JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(manifestDesc))));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return (String) manifestDesc.get("digest");
    }

    static Map<String, Object> writeBlob(Path blobs, String mediaType, byte[] data) throws IOException {
        String digest = sha256(data);
        Files.write(blobs.resolve(digest.substring(7)), data);
        return descriptor(mediaType, digest, data.length);
    }

    static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    /** Packs a directory into an uncompressed archive with real tar. */
    static Path pack(Path dir, Path archive) throws IOException {
        Shell.ok("tar", "-C", dir.toString(), "-cf", archive.toString(), ".");
        return archive;
    }

    /** A layer tar of a directory made with real tar: PAX, numeric owners, xattrs kept. */
    static Path tarOf(Path dir, Path out) throws IOException {
        Shell.ok(
                "tar",
                "--format=pax",
                "--numeric-owner",
                "--xattrs",
                "--xattrs-include=*",
                "-C",
                dir.toString(),
                "-cf",
                out.toString(),
                ".");
        return out;
    }
}

package io.workdisk.agent.engine.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * An image manifest (OCI, or Docker schema 2): its config and its layers, lowest first. Read the same
 * from a registry and from an archive, every media type checked before a layer byte is read.
 */
public record ImageManifest(Descriptor config, List<Descriptor> layers) {
    /** Configs are a few KiB; this bounds what is parsed in memory. */
    public static final long MAX_CONFIG_BYTES = 8 << 20;

    public ImageManifest {
        layers = List.copyOf(layers);
    }

    /** The manifest {@code doc}; {@code what} names it in errors ("manifest sha256:... of image ..."). */
    public static ImageManifest read(JsonNode doc, String what) throws EngineException {
        if (doc.path("schemaVersion").asInt(0) != 2) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " is not schemaVersion 2");
        }
        Descriptor config = Descriptor.read(doc.get("config"), "the config of " + what);
        if (!MediaTypes.isConfig(config.mediaType())) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has a config of media type '" + Printable.printable(config.mediaType())
                            + "': not a container image (expected " + MediaTypes.OCI_CONFIG + " or "
                            + MediaTypes.DOCKER_CONFIG + ")");
        }
        if (config.size() > MAX_CONFIG_BYTES) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has a config of " + config.size() + " bytes; at most 8 MiB is read");
        }
        JsonNode layers = doc.get("layers");
        if (layers == null || !layers.isArray()) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " has no layers list");
        }
        List<Descriptor> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            out.add(Descriptor.read(layers.get(i), "layer " + (i + 1) + " of " + what));
        }
        return new ImageManifest(config, out);
    }

    /**
     * Refuses a layer whose media type is not in the one table ({@link Compression}), or, when
     * {@code fromRegistry}, one whose blob a registry does not serve (foreign and non-distributable
     * layers live at other URLs, which the agent never fetches from).
     */
    public void requireLayerTypes(String what, boolean fromRegistry) throws EngineException {
        for (int i = 0; i < layers.size(); i++) {
            String type = layers.get(i).mediaType();
            boolean known = fromRegistry ? MediaTypes.layerCompression(type) != null : Compression.known(type);
            if (!known) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "layer " + (i + 1) + " of " + what + " has media type '" + Printable.printable(type)
                                + "', which is not a layer the agent reads (OCI tar, tar+gzip, tar+zstd, or Docker's"
                                + " tar.gzip" + (fromRegistry ? "; foreign layers are not fetched)" : ")"));
            }
        }
    }

    /** Every layer's size and the config's: what a pull fetches at most. */
    public long totalSize() {
        return config.size() + layers.stream().mapToLong(Descriptor::size).sum();
    }
}

package io.workdisk.agent.engine.image;

import java.util.List;

/**
 * An image ready to flatten: the digest that identifies it (its manifest's), the config's digest, the
 * platform chosen and the layers, lowest first.
 */
public record ImageLayers(String manifestDigest, String configDigest, String platform, List<Layer> layers) {
    public ImageLayers {
        layers = List.copyOf(layers);
    }
}

package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** workdisk's four CRDs, as committed in crds/yaml and packed into this module's jar under /crds. */
final class Crds {
    static final List<String> FILES = List.of(
            "workdisks.workdisk.io-v1.yml",
            "workseeds.workdisk.io-v1.yml",
            "worktasks.workdisk.io-v1.yml",
            "worknodes.workdisk.io-v1.yml");

    private Crds() {}

    static List<CustomResourceDefinition> all() {
        return FILES.stream().map(Crds::load).toList();
    }

    static CustomResourceDefinition load(String name) {
        try (InputStream in = Crds.class.getResourceAsStream("/crds/" + name)) {
            if (in == null) {
                throw new IllegalStateException("CRD " + name + " is not on the classpath");
            }
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

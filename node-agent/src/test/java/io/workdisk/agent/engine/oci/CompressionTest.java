package io.workdisk.agent.engine.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.shared.EngineException;
import org.junit.jupiter.api.Test;

/**
 * One table of layer media types serves the archive reader and the registry client: the same compression
 * for each type; the registry fetches no foreign or non-distributable layer (their blobs live elsewhere).
 */
class CompressionTest {
    @Test
    void aRegistryLayerIsCompressedAsInAnArchive() throws EngineException {
        for (String type : new String[] {
            MediaTypes.OCI_LAYER,
            MediaTypes.OCI_LAYER_GZIP,
            MediaTypes.OCI_LAYER_ZSTD,
            "application/vnd.docker.image.rootfs.diff.tar.gzip"
        }) {
            assertThat(Compression.ofRegistryLayer(type)).as(type).contains(Compression.of(type));
        }
        assertThat(Compression.of(MediaTypes.OCI_LAYER_ZSTD)).isEqualTo(Compression.ZSTD);
    }

    @Test
    void foreignAndNonDistributableLayersAreReadFromArchivesOnly() throws EngineException {
        for (String type : new String[] {
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        }) {
            assertThat(Compression.of(type)).as(type).isEqualTo(Compression.GZIP);
            assertThat(Compression.ofRegistryLayer(type)).as(type).isEmpty();
        }
    }

    @Test
    void anUnknownTypeIsRefusedBothWays() {
        assertThat(Compression.ofRegistryLayer("application/vnd.example.layer")).isEmpty();
        assertThat(Compression.ofRegistryLayer(null)).isEmpty();
        assertThatThrownBy(() -> Compression.of("application/vnd.example.layer"))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("is not a layer this agent can apply");
    }
}

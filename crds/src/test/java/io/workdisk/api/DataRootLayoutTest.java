package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DataRootLayoutTest {
    @Test
    void disksAreNamedByUidAndSeedsByName() {
        assertThat(DataRootLayout.diskPath("0f1e")).isEqualTo("disks/0f1e.ext4");
        assertThat(DataRootLayout.seedPath("ubuntu")).isEqualTo("seeds/ubuntu.ext4");
        assertThat(DataRootLayout.imageName("ubuntu.ext4")).isEqualTo("ubuntu");
    }

    @Test
    void imageBlobsAreNamedByTheirDigestInTheLayerCache() {
        String hex = "0123456789abcdef".repeat(4);
        assertThat(DataRootLayout.blobPath(hex)).isEqualTo("layers/blobs/sha256/" + hex);
    }

    @Test
    void aSeedNameTooLongForAFileNameIsShortenedAndKeptUnique() {
        String longest = "a".repeat(253);
        String other = "a".repeat(252) + "b";
        String file = DataRootLayout.seedPath(longest).substring("seeds/".length());
        assertThat(file.getBytes(StandardCharsets.UTF_8)).hasSize(DataRootLayout.MAX_FILE_NAME_BYTES);
        assertThat(file).startsWith("a".repeat(233) + "-").endsWith(".ext4");
        assertThat(DataRootLayout.seedPath(other)).isNotEqualTo(DataRootLayout.seedPath(longest));
        String fits = "b".repeat(250);
        assertThat(DataRootLayout.seedPath(fits)).isEqualTo("seeds/" + fits + ".ext4");
    }
}

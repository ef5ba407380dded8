package io.workdisk.api.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
    static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    @Test
    void aTagIsCutFromTheNameButAPortIsNot() {
        assertThat(ImageReference.parse("localhost:5000/base/debian:12"))
                .isEqualTo(new ImageReference("localhost:5000/base/debian", "12", null));
        assertThat(ImageReference.parse("localhost:5000/base/debian"))
                .isEqualTo(new ImageReference("localhost:5000/base/debian", null, null));
        assertThat(ImageReference.parse("debian")).isEqualTo(new ImageReference("debian", null, null));
    }

    @Test
    void aDigestPinsAndPinningDropsTheTag() {
        ImageReference both = ImageReference.parse("registry.example/debian:12@" + DIGEST);
        assertThat(both.pinned()).isTrue();
        assertThat(both.digest()).isEqualTo(DIGEST);
        assertThat(ImageReference.parse("registry.example:443/debian:12").pinned(DIGEST))
                .isEqualTo("registry.example:443/debian@" + DIGEST);
        assertThat(ImageSource.of("debian:12").pinnedTo(DIGEST).reference()).isEqualTo("debian@" + DIGEST);
        assertThat(ImageReference.shortDigest(DIGEST)).isEqualTo("sha256:0123456789ab");
        assertThatThrownBy(() -> ImageReference.parse("debian").pinned("sha256:abc"))
                .hasMessageContaining("not a sha256 digest");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Debian:12",
                "debian:",
                "/debian",
                "debian@sha256:abc",
                "debian@md5:" + "0123456789abcdef",
                "registry.example/../etc",
                "debian:12 ",
                "http://registry.example/debian"
            })
    void whatIsNoReferenceIsRefused(String reference) {
        assertThatThrownBy(() -> ImageReference.parse(reference)).hasMessageContaining("not an image reference");
    }
}

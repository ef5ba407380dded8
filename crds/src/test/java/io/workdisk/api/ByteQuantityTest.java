package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteQuantityTest {
    static final long GI = 1L << 30;

    @Test
    void threeSignificantDigitsInBinaryUnitsRoundedDown() {
        assertThat(ByteQuantity.readable(0)).isEqualTo("0");
        assertThat(ByteQuantity.readable(1023)).isEqualTo("1023");
        assertThat(ByteQuantity.readable(1024)).isEqualTo("1Ki");
        assertThat(ByteQuantity.readable(1536)).isEqualTo("1.5Ki");
        assertThat(ByteQuantity.readable(2 * GI)).isEqualTo("2Gi");
        assertThat(ByteQuantity.readable(GI - 1))
                .as("never rounded up to 1024Mi")
                .isEqualTo("1023Mi");
        assertThat(ByteQuantity.readable(2 * GI - 1)).isEqualTo("1.99Gi");
        assertThat(ByteQuantity.readable(12 * GI + GI * 5 / 8)).isEqualTo("12.6Gi");
        assertThat(ByteQuantity.readable(252 * GI + GI * 9 / 10)).isEqualTo("252Gi");
        assertThat(ByteQuantity.readable(16L << 40)).isEqualTo("16Ti");
        assertThat(ByteQuantity.readable(Long.MAX_VALUE)).isEqualTo("7.99Ei");
        assertThat(ByteQuantity.readable((Long) null)).isNull();
    }

    @Test
    void isAKubernetesQuantityWithinOnePercentBelowTheBytes() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            long bytes = Math.max(1, random.nextLong(1024, Long.MAX_VALUE) >>> random.nextInt(0, 54));
            String text = ByteQuantity.readable(bytes);
            BigDecimal parsed = Quantity.getAmountInBytes(new Quantity(text));
            assertThat(parsed)
                    .as("%d as %s", bytes, text)
                    .isLessThanOrEqualTo(BigDecimal.valueOf(bytes))
                    .isGreaterThan(BigDecimal.valueOf(bytes).multiply(new BigDecimal("0.99")));
        }
    }
}

package io.workdisk.operator.workdisk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DiskSizeTest {
    static final long GIB = 1L << 30;

    @Test
    void aSizeIsItsBytesOrWhyItIsNotOne() {
        assertThat(DiskSize.parse("8Gi")).isEqualTo(new DiskSize.Parsed(8 * GIB, null));
        assertThat(DiskSize.parse(" 1.5Gi ").bytes()).isEqualTo(3 * GIB / 2);
        assertThat(DiskSize.parse(null).problem()).isEqualTo("spec.size is required");
        assertThat(DiskSize.parse("junk").problem()).contains("is not a quantity");
        assertThat(DiskSize.parse("1").problem()).contains("below the minimum of 64Mi");
        assertThat(DiskSize.parse("16Ti").problem()).contains("not below the maximum of 16Ti");
        assertThat(DiskSize.parse("0.5").problem()).contains("not a whole number of bytes");
    }

    @Test
    void theMemoGivesTheAnswerParsingWould() {
        SizeMemo memo = new SizeMemo();
        for (String size : new String[] {"8Gi", "junk", "1", " 1.5Gi ", "16Ti", "0.5"}) {
            assertThat(memo.parse(size)).isEqualTo(DiskSize.parse(size));
            assertThat(memo.parse(size)).isEqualTo(DiskSize.parse(size));
        }
        assertThat(memo.parse(null)).isEqualTo(DiskSize.parse(null));
    }

    @Test
    void theMemoStaysBoundedAndRightWhenFull() {
        SizeMemo memo = new SizeMemo();
        for (int i = 0; i < 10_000; i++) {
            assertThat(memo.requestedBytes((64 + i) + "Mi")).isEqualTo((64L + i) << 20);
        }
    }

    @Test
    void placementCountsWhatTheSpecAsksForAndNothingForWhatIsNotASize() {
        SizeMemo memo = new SizeMemo();
        assertThat(memo.requestedBytes("8Gi")).isEqualTo(8 * GIB);
        assertThat(memo.requestedBytes("junk")).isZero();
        assertThat(memo.requestedBytes(null)).isZero();
    }
}

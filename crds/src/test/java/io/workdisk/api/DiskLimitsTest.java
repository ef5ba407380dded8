package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bounds in Java and the bounds the CRD's CEL rules enforce are the same bounds. */
class DiskLimitsTest {
    @Test
    void theQuantitiesAreTheByteCounts() {
        assertThat(Quantity.getAmountInBytes(new Quantity(DiskLimits.MIN_QUANTITY)))
                .isEqualByComparingTo(BigDecimal.valueOf(DiskLimits.MIN_BYTES));
        assertThat(Quantity.getAmountInBytes(new Quantity(DiskLimits.LIMIT_QUANTITY)))
                .isEqualByComparingTo(BigDecimal.valueOf(DiskLimits.LIMIT_BYTES));
    }

    @Test
    void theCrdsSizeRulesCompareWithExactlyTheseBounds() throws Exception {
        List<ValidationRule> rules =
                CrdSchemaTest.spec("workdisks.workdisk.io-v1.yml").getXKubernetesValidations();
        Matcher constants = Pattern.compile("quantity\\('([^']+)'\\)")
                .matcher(String.join(
                        "\n", rules.stream().map(ValidationRule::getRule).toList()));
        List<String> bounds =
                constants.results().map(m -> m.group(1)).distinct().toList();
        assertThat(bounds).containsExactlyInAnyOrder(DiskLimits.MIN_QUANTITY, DiskLimits.LIMIT_QUANTITY);
    }
}

package io.workdisk.agent.cli;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import picocli.CommandLine;

/** Sizes as Kubernetes quantities (8Gi, 500M, 1073741824), parsed the way the API server does. */
public final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return parse(value);
    }

    public static long parse(String value) {
        BigDecimal bytes;
        try {
            bytes = Quantity.getAmountInBytes(new Quantity(value.strip()));
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a size (use a Kubernetes quantity such as 8Gi, 500M or 1073741824)");
        }
        if (bytes.signum() <= 0) {
            throw new CommandLine.TypeConversionException("size '" + value + "' must be positive");
        }
        try {
            return bytes.longValueExact();
        } catch (ArithmeticException e) {
            throw new CommandLine.TypeConversionException(
                    bytes.scale() > 0 && bytes.stripTrailingZeros().scale() > 0
                            ? "size '" + value + "' is not a whole number of bytes"
                            : "size '" + value + "' is too large");
        }
    }
}

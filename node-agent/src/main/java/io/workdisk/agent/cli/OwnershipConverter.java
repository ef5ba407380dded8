package io.workdisk.agent.cli;

import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import picocli.CommandLine;

/** {@code --ownership root|preserve}, any case; anything else is a usage error (exit 2), as for every option. */
public final class OwnershipConverter implements CommandLine.ITypeConverter<SeedOwnership> {
    @Override
    public SeedOwnership convert(String value) {
        try {
            return SeedOwnership.parse(value);
        } catch (EngineException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is neither root nor preserve");
        }
    }
}

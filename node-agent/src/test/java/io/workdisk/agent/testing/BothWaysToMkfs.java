package io.workdisk.agent.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A test run once per way a tree reaches mkfs ({@code SeedMethod} TAR and STAGING_TREE), the method its
 * parameter: both must give the same seed.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest
@EnumSource(
        value = io.workdisk.agent.engine.seed.SeedMethod.class,
        names = {"TAR", "STAGING_TREE"})
public @interface BothWaysToMkfs {}

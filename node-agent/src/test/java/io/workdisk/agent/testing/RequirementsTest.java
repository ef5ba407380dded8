package io.workdisk.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing requirement skips with its reason printed, and fails naming it in a run that must be complete. */
class RequirementsTest {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final PrintStream log = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void outsideCiAMissingToolSkipsAndSaysWhy() {
        Requirements local = Requirements.of(Map.of("CI", "false", "WORKDISK_REQUIRE_ALL", "0"), log);

        assertThatThrownBy(() -> local.check(false, "helm is not installed (bash .ci/run fetches it)"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessage("skipped: helm is not installed (bash .ci/run fetches it)");
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .isEqualTo("skipped: helm is not installed (bash .ci/run fetches it)" + System.lineSeparator());
        assertThat(Requirements.of(Map.of(), log).completeRun()).isFalse();
    }

    @Test
    void inCiAMissingToolFailsNamingIt() {
        for (Map<String, String> env : java.util.List.of(
                Map.of("CI", "true"),
                Map.of("CI", "1"),
                Map.of("WORKDISK_REQUIRE_ALL", "1"),
                Map.of("CI", "false", "WORKDISK_REQUIRE_ALL", "1"))) {
            Requirements ci = Requirements.of(env, log);

            assertThatThrownBy(() -> ci.check(false, "chattr +i is refused here"))
                    .as("%s", env)
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("required in this run (")
                    .hasMessageEndingWith("): chattr +i is refused here");
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .as("a failure is not a skip")
                .isEmpty();
    }

    @Test
    void aMetRequirementLetsTheTestRunEverywhere() {
        Requirements.of(Map.of("CI", "true"), log).check(true, "never shown");
        Requirements.of(Map.of(), log).check(true, "never shown");

        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}

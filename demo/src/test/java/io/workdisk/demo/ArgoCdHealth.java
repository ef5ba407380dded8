package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Argo CD health checks in docs/argocd, run by Debian's real Lua 5.1 interpreter ({@code lua5.1}; Argo CD
 * runs Lua 5.1 semantics) in the sandbox Argo CD gives them (test resource {@code argocd/health-harness.lua}).
 */
final class ArgoCdHealth {
    static final String LUA = "lua5.1";
    static final Path CHECKS = Path.of("..").toAbsolutePath().normalize().resolve("docs/argocd/workdisk.io");

    /** What a check returned: Healthy, Progressing, Degraded ..., and the message Argo CD shows with it. */
    record Health(String status, String message) {
        @Override
        public String toString() {
            return status + " (" + message + ")";
        }
    }

    private final Path work;
    private final Path harness;

    /** {@code work}: a directory for the objects handed to the interpreter. */
    ArgoCdHealth(Path work) {
        assertThat(Shell.run(List.of("sh", "-c", "command -v " + LUA)).exitCode())
                .as(LUA + " is not installed (apt-get install lua5.1; bash .ci/run installs it)")
                .isZero();
        this.work = work;
        this.harness = work.resolve("health-harness.lua");
        try (InputStream in = ArgoCdHealth.class.getResourceAsStream("/argocd/health-harness.lua")) {
            Files.copy(in, harness);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The health check of the object's kind (WorkDisk, WorkSeed) on the object as the API server serves it. */
    Health of(JsonNode object) {
        Path check = CHECKS.resolve(object.path("kind").asText()).resolve("health.lua");
        try {
            Path table = Files.createTempFile(work, "object", ".lua");
            Files.writeString(table, LuaTable.chunk(object));
            Shell.Result r = Shell.run(List.of(LUA, harness.toString(), check.toString(), table.toString()));
            assertThat(r.exitCode())
                    .as("%s on %s failed: %s", check, object, r.stderr())
                    .isZero();
            Files.delete(table);
            String[] lines = r.stdout().split("\n", 2);
            return new Health(lines[0], lines.length > 1 ? lines[1].strip() : "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

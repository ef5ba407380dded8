package io.workdisk.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.seed.SeedBuilder;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Timed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.StreamSupport;

/**
 * build-seed refuses to make a seed with nothing in it unless asked to ({@code --allow-empty}): a subtree
 * the source lacks (a typo, or an image without /root) would otherwise give a 512 MiB seed of nothing and
 * exit 0. A rootfs is looked at before anything is written; an image's tree is known only once its layers
 * are applied, so an empty seed from one is removed again before the refusal.
 */
final class EmptySeedGuard {
    static final String HINT = " (--allow-empty builds an empty seed anyway)";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] ENTRY_COUNTS = {"files", "directories", "symlinks", "hardLinks"};

    private EmptySeedGuard() {}

    /** Refuses a rootfs without {@code subtree}; a rootfs that cannot be read is left for the build to name. */
    static void requireSubtree(Path rootfs, String subtree) throws EngineException {
        String path = SeedBuilder.normalizeSubtree(subtree);
        try (Ext4Image image = Ext4Image.open(rootfs)) {
            if (image.lookup(path).isEmpty()) {
                throw new EngineException(
                        Problem.INVALID_PATH,
                        "the rootfs " + ConfinedRoot.quoted(rootfs) + " has no " + path + ", so the seed would be empty"
                                + HINT);
            }
        } catch (IOException | RuntimeException unreadable) {
            // the build opens it again and says what is wrong with it
        }
    }

    /** Removes {@code built} and refuses when it holds no entry at all. */
    static void requireEntries(DiskEngine engine, ConfinedRoot root, Timed<?> built, String requester)
            throws EngineException {
        JsonNode report = JSON.valueToTree(built.result());
        for (String count : ENTRY_COUNTS) {
            if (report.path(count).asLong() > 0) {
                return;
            }
        }
        engine.delete(root, Path.of(report.path("path").asText()), requester);
        String why = StreamSupport.stream(report.path("warnings").spliterator(), false)
                .map(JsonNode::asText)
                .filter(w -> w.endsWith("the seed is empty"))
                .findFirst()
                .map(w -> w.replace("; the seed is empty", ", so the seed would be empty"))
                .orElse("the seed would be empty: " + report.path("subtree").asText() + " holds nothing");
        throw new EngineException(Problem.INVALID_PATH, why + HINT);
    }
}

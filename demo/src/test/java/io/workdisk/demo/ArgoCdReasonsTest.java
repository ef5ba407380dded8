package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workseed.SeedReasons;
import io.workdisk.operator.workdisk.DiskPlanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Argo CD checks know every reason the API calls a failure, from the Java constants: a reason added to
 * DiskReasons, SeedReasons or the engine's Problem without the check knowing it fails here. Each reason is
 * also run through the check (Lua 5.1) on a status of the current generation, so the list is not only
 * written down but read the way Argo CD reads it.
 */
class ArgoCdReasonsTest {
    static final Pattern LIST = Pattern.compile("(?s)local (?:terminal|failed) = \\{(.*?)\\n}");
    static final Pattern KEY = Pattern.compile("(\\w+) = true");

    @TempDir
    Path tmp;

    /** The disk reasons that wait for someone: the API's, and the engine's that retrying cannot mend. */
    static Set<String> terminalDiskReasons() {
        Set<String> reasons = new HashSet<>(DiskReasons.TERMINAL);
        Arrays.stream(Problem.values())
                .filter(p -> !p.retryable())
                .map(p -> DiskPlanner.reason(p.name()))
                .forEach(reasons::add);
        return reasons;
    }

    @Test
    void theDiskCheckListsExactlyTheReasonsThatWaitForSomeone() throws Exception {
        assertThat(listedIn("WorkDisk")).isEqualTo(terminalDiskReasons());
        ArgoCdHealth argo = new ArgoCdHealth(tmp);
        for (String reason : terminalDiskReasons()) {
            // phase Ready: the reason alone must say it, whatever the phase
            assertThat(argo.of(disk("Ready", "True", reason)))
                    .isEqualTo(new ArgoCdHealth.Health("Degraded", reason + ": what happened"));
        }
        List<String> onTheirWay = Arrays.stream(Problem.values())
                .filter(Problem::retryable)
                .map(p -> DiskPlanner.reason(p.name()))
                .collect(Collectors.toList());
        onTheirWay.addAll(List.of(
                "Creating",
                "Resizing",
                DiskReasons.RESIZE_RETRYING,
                DiskReasons.IN_USE,
                "Retrying",
                "NoCapacity",
                "NoMatchingNode",
                "SeedNotFound",
                "SeedNotReady",
                "NodeNotFound",
                "NodeNotReady"));
        for (String reason : onTheirWay) {
            assertThat(argo.of(disk("Creating", "False", reason)).status())
                    .as(reason)
                    .isEqualTo("Progressing");
        }
        // whatever the reason, a Failed disk is Degraded: an engine reason the check does not know yet included
        assertThat(argo.of(disk("Failed", "False", "SomethingNew")).status()).isEqualTo("Degraded");
        assertThat(argo.of(disk("Ready", "True", DiskReasons.READY)).status()).isEqualTo("Healthy");
    }

    @Test
    void theSeedCheckListsExactlyTheFailures() throws Exception {
        assertThat(listedIn("WorkSeed")).isEqualTo(SeedReasons.FAILED);
        ArgoCdHealth argo = new ArgoCdHealth(tmp);
        for (String reason : SeedReasons.FAILED) {
            assertThat(argo.of(seed("False", reason)).status()).as(reason).isEqualTo("Degraded");
        }
        for (String reason : List.of("Building", "Resolving", "NoNodes")) {
            assertThat(argo.of(seed("False", reason)).status()).as(reason).isEqualTo("Progressing");
        }
        assertThat(argo.of(seed("True", SeedReasons.READY)).status()).isEqualTo("Healthy");
    }

    static Set<String> listedIn(String kind) throws Exception {
        String check = Files.readString(ArgoCdHealth.CHECKS.resolve(kind).resolve("health.lua"));
        Matcher list = LIST.matcher(check);
        assertThat(list.find()).as("the reason list of %s's check", kind).isTrue();
        Set<String> keys = new HashSet<>();
        Matcher key = KEY.matcher(list.group(1).replaceAll("--[^\\n]*", ""));
        while (key.find()) {
            keys.add(key.group(1));
        }
        return keys;
    }

    static JsonNode disk(String phase, String ready, String reason) {
        ObjectNode o = object("WorkDisk", ready, reason);
        ((ObjectNode) o.path("status")).put("phase", phase);
        return o;
    }

    static JsonNode seed(String ready, String reason) {
        return object("WorkSeed", ready, reason);
    }

    /** A status of the current generation whose Ready condition has this status and reason. */
    static ObjectNode object(String kind, String ready, String reason) {
        ObjectNode o = Serialization.jsonMapper().createObjectNode();
        o.put("apiVersion", "workdisk.io/v1alpha1").put("kind", kind);
        o.putObject("metadata").put("name", "x").put("generation", 3);
        ObjectNode status = o.putObject("status").put("observedGeneration", 3);
        status.putArray("conditions")
                .addObject()
                .put("type", "Ready")
                .put("status", ready)
                .put("reason", reason)
                .put("message", "what happened")
                .put("observedGeneration", 3);
        return o;
    }
}

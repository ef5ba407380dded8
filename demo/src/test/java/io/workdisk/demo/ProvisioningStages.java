package io.workdisk.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a claim's time goes on its way to Bound, read from the API server's audit log: the time at which each
 * component did its part for each claim (the scheduler chose a node, the operator made the WorkDisk and wrote it
 * Ready, the provisioner made the PV, the controller-manager bound the claim, the scheduler bound the Pod). A
 * stage whose own step is short but whose wait since the claim's create is long is queued behind another; the
 * span (first to last of a stage) shows the rate it went at.
 */
final class ProvisioningStages {
    /** The stages in the order they happen to a claim. */
    static final List<String> ORDER = List.of(
            "node selected",
            "provisioner named",
            "disk created",
            "disk ready",
            "PV created",
            "claim bound",
            "pod bound");

    private final Map<String, Map<String, Instant>> byClaim = new HashMap<>();
    private final Instant start;

    private ProvisioningStages(Instant start) {
        this.start = start;
    }

    /**
     * The stages of each claim (namespace/name, whose Pod has the same name and whose volume is {@code pvc-<uid>})
     * in {@code uids}, from the audit {@code entries} that follow their creates.
     */
    static ProvisioningStages of(List<AuditLog.Entry> entries, Map<String, String> uids) {
        // the provisioner names a claim's volume pvc-<uid>: its PV, and the WorkDisk the driver makes for it
        Map<String, String> claimOfVolume = new HashMap<>();
        uids.forEach((claim, uid) -> claimOfVolume.put("pvc-" + uid, claim));
        Instant first = entries.stream()
                .filter(e -> e.verb().equals("create") && e.resource().equals("persistentvolumeclaims"))
                .map(AuditLog.Entry::at)
                .min(Instant::compareTo)
                .orElse(Instant.EPOCH);
        ProvisioningStages stages = new ProvisioningStages(first);
        for (AuditLog.Entry e : entries) {
            if (e.code() >= 300) {
                continue;
            }
            String agent = e.client();
            String key = e.namespace() + "/" + e.name();
            if (e.resource().equals("persistentvolumeclaims") && e.verb().equals("create")) {
                stages.first(key, "created", e.at());
            } else if (agent.equals("kube-scheduler")
                    && e.resource().equals("persistentvolumeclaims")
                    && (e.verb().equals("update") || e.verb().equals("patch"))) {
                stages.first(key, "node selected", e.at());
            } else if (agent.equals("kube-scheduler") && e.resource().equals("pods/binding")) {
                stages.first(key, "pod bound", e.at());
            } else if (agent.equals("kube-controller-manager")
                    && e.resource().equals("persistentvolumeclaims")
                    && e.verb().equals("update")) {
                // its first update names the provisioner on the claim, which the provisioner waits for
                stages.first(key, "provisioner named", e.at());
            } else if (agent.equals("kube-controller-manager")
                    && e.resource().equals("persistentvolumeclaims/status")) {
                stages.first(key, "claim bound", e.at());
            } else if (agent.equals("csi-provisioner")
                    && e.resource().equals("persistentvolumes")
                    && e.verb().equals("create")
                    && claimOfVolume.containsKey(e.name())) {
                stages.first(claimOfVolume.get(e.name()), "PV created", e.at());
            } else if (e.resource().equals("workdisks")
                    && e.verb().equals("create")
                    && claimOfVolume.containsKey(e.name())) {
                stages.first(claimOfVolume.get(e.name()), "disk created", e.at());
            } else if (e.resource().equals("workdisks/status") && claimOfVolume.containsKey(e.name())) {
                stages.beforePv(claimOfVolume.get(e.name()), e.at());
            }
        }
        return stages;
    }

    private void first(String claim, String stage, Instant at) {
        byClaim.computeIfAbsent(claim, k -> new HashMap<>()).merge(stage, at, (a, b) -> a.isBefore(b) ? a : b);
    }

    /** The disk's last status write before its PV was made is the one that said Ready. */
    private void beforePv(String claim, Instant at) {
        Map<String, Instant> times = byClaim.computeIfAbsent(claim, k -> new HashMap<>());
        Instant pv = times.get("PV created");
        if (pv == null || at.isBefore(pv)) {
            times.merge("disk ready", at, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    /** A line per stage: since the claim's create, the step from the stage before it, and the stage's span. */
    List<String> report() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "%-14s %-26s %-26s %s", "stage", "since create: med/p99/max", "step: med/p99/max", "span (s)"));
        String previous = "created";
        for (String stage : ORDER) {
            List<Double> since = new ArrayList<>();
            List<Double> step = new ArrayList<>();
            Instant earliest = null;
            Instant latest = null;
            for (Map<String, Instant> times : byClaim.values()) {
                Instant created = times.get("created");
                Instant at = times.get(stage);
                Instant before = times.get(previous);
                if (created == null || at == null) {
                    continue;
                }
                since.add(seconds(created, at));
                if (before != null) {
                    step.add(seconds(before, at));
                }
                earliest = earliest == null || at.isBefore(earliest) ? at : earliest;
                latest = latest == null || at.isAfter(latest) ? at : latest;
            }
            lines.add(String.format(
                    "%-14s %-26s %-26s %.1f to %.1f (%d claims)",
                    stage,
                    since.isEmpty() ? "-" : Latencies.of(since).cell(1),
                    step.isEmpty() ? "-" : Latencies.of(step).cell(1),
                    earliest == null ? 0 : seconds(start, earliest),
                    latest == null ? 0 : seconds(start, latest),
                    since.size()));
            previous = stage;
        }
        return lines;
    }

    /** How many claims reached each stage by each {@code bucket} since the first create, for a timeline. */
    Map<String, List<Integer>> timeline(Duration bucket) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (String stage : ORDER) {
            List<Integer> counts = new ArrayList<>();
            for (Map<String, Instant> times : byClaim.values()) {
                Instant at = times.get(stage);
                if (at == null) {
                    continue;
                }
                int i = (int) (Duration.between(start, at).toMillis() / bucket.toMillis());
                while (counts.size() <= i) {
                    counts.add(0);
                }
                counts.set(i, counts.get(i) + 1);
            }
            out.put(stage, counts);
        }
        return out;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}

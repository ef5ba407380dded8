package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** The demo's view of the cluster, in the columns kubectl would show. */
final class StatusTable {
    private StatusTable() {}

    static List<String> render(KubernetesClient kube) {
        List<String> lines = new ArrayList<>();
        List<List<String>> nodes = new ArrayList<>();
        nodes.add(List.of("WORKNODE", "READY", "DISKS", "ALLOCATED", "DATA ROOT"));
        for (WorkNode n : sorted(kube.resources(WorkNode.class).list().getItems())) {
            var s = n.getStatus();
            nodes.add(List.of(
                    n.getMetadata().getName(),
                    s == null ? "-" : ready(s.conditions()),
                    s == null || s.disks() == null ? "-" : s.disks().toString(),
                    s == null || s.allocated() == null ? "-" : s.allocated(),
                    s == null || s.dataRoot() == null ? "-" : s.dataRoot()));
        }
        lines.addAll(columns(nodes));
        lines.add("");
        List<List<String>> seeds = new ArrayList<>();
        seeds.add(List.of("WORKSEED", "READY", "SOURCE", "REASON"));
        for (WorkSeed s : sorted(kube.resources(WorkSeed.class).list().getItems())) {
            var st = s.getStatus();
            seeds.add(List.of(
                    s.getMetadata().getName(),
                    st == null || st.ready() == null ? "-" : st.ready(),
                    st == null || st.source() == null ? "-" : st.source(),
                    st == null ? "" : reason(st.conditions())));
        }
        lines.addAll(columns(seeds));
        lines.add("");
        List<List<String>> disks = new ArrayList<>();
        disks.add(List.of("WORKDISK", "PHASE", "SIZE", "NODE", "SEED", "REASON"));
        for (WorkDisk d :
                sorted(kube.resources(WorkDisk.class).inAnyNamespace().list().getItems())) {
            var s = d.getStatus();
            disks.add(List.of(
                    d.getMetadata().getName(),
                    s == null || s.phase() == null ? "-" : s.phase().toString(),
                    d.getSpec().size(),
                    s == null || s.nodeName() == null ? "-" : s.nodeName(),
                    d.getSpec().seedRef() == null ? "-" : d.getSpec().seedRef(),
                    s == null ? "" : reason(s.conditions())));
        }
        lines.addAll(columns(disks));
        return lines;
    }

    /**
     * Rows as kubectl prints them: each column as wide as its widest cell plus three spaces, the last one
     * as it is, so that a long value moves the columns after it rather than out of line.
     */
    static List<String> columns(List<List<String>> rows) {
        int count = rows.get(0).size();
        int[] widths = new int[count];
        for (List<String> row : rows) {
            for (int i = 0; i < count - 1; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < count - 1; i++) {
                line.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length() + 3));
            }
            lines.add(line.append(row.get(count - 1)).toString().stripTrailing());
        }
        return lines;
    }

    /**
     * Whether every node's record counts the Ready disks on it: an agent reports its disks with its
     * heartbeat, so a table drawn the moment the last disk is Ready can still show a node without it.
     */
    static boolean nodesCaughtUp(KubernetesClient kube) {
        List<WorkDisk> disks =
                kube.resources(WorkDisk.class).inAnyNamespace().list().getItems();
        for (WorkNode n : kube.resources(WorkNode.class).list().getItems()) {
            long ready = disks.stream()
                    .filter(d -> d.getStatus() != null
                            && d.getStatus().phase() == DiskPhase.Ready
                            && Objects.equals(
                                    d.getStatus().nodeName(), n.getMetadata().getName()))
                    .count();
            Integer reported = n.getStatus() == null ? null : n.getStatus().disks();
            if (reported == null || reported != ready) {
                return false;
            }
        }
        return true;
    }

    private static <T extends HasMetadata> List<T> sorted(List<T> items) {
        return items.stream()
                .sorted(Comparator.comparing(i -> i.getMetadata().getName()))
                .toList();
    }

    static String ready(List<Condition> conditions) {
        Condition c = Conditions.find(conditions, "Ready");
        return c == null ? "-" : c.getStatus();
    }

    static String reason(List<Condition> conditions) {
        Condition c = Conditions.find(conditions, "Ready");
        return c == null ? "" : c.getReason() + ": " + c.getMessage();
    }
}

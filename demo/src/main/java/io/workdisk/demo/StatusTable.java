package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The demo's view of the cluster, in the columns kubectl would show. */
final class StatusTable {
    private StatusTable() {}

    static List<String> render(KubernetesClient kube) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-14s %-8s %-8s %-12s %s", "WORKNODE", "READY", "DISKS", "ALLOCATED", "DATA ROOT"));
        for (WorkNode n : sorted(kube.resources(WorkNode.class).list().getItems())) {
            var s = n.getStatus();
            lines.add(String.format(
                    "%-14s %-8s %-8s %-12s %s",
                    n.getMetadata().getName(),
                    s == null ? "-" : ready(s.conditions()),
                    s == null ? "-" : s.disks(),
                    s == null || s.allocated() == null ? "-" : s.allocated(),
                    s == null ? "-" : s.dataRoot()));
        }
        lines.add("");
        lines.add(String.format("%-14s %-8s %-40s %s", "WORKSEED", "READY", "SOURCE", "REASON"));
        for (WorkSeed s : sorted(kube.resources(WorkSeed.class).list().getItems())) {
            var st = s.getStatus();
            lines.add(String.format(
                    "%-14s %-8s %-40s %s",
                    s.getMetadata().getName(),
                    st == null ? "-" : st.ready(),
                    st == null ? "-" : st.source(),
                    st == null ? "" : reason(st.conditions())));
        }
        lines.add("");
        lines.add(
                String.format("%-14s %-10s %-6s %-8s %-12s %s", "WORKDISK", "PHASE", "SIZE", "NODE", "SEED", "REASON"));
        for (WorkDisk d :
                sorted(kube.resources(WorkDisk.class).inAnyNamespace().list().getItems())) {
            var s = d.getStatus();
            lines.add(String.format(
                    "%-14s %-10s %-6s %-8s %-12s %s",
                    d.getMetadata().getName(),
                    s == null || s.phase() == null ? "-" : s.phase(),
                    d.getSpec().size(),
                    s == null || s.nodeName() == null ? "-" : s.nodeName(),
                    d.getSpec().seedRef() == null ? "-" : d.getSpec().seedRef(),
                    s == null ? "" : reason(s.conditions())));
        }
        return lines;
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

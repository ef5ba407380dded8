package io.workdisk.operator.node;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.workdisk.api.node.WorkNode;
import io.workdisk.operator.Caches;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every node with an agent, read from the reconciler's caches of WorkNode records and Node objects (for
 * labels; a node without a Node object has none).
 */
public final class NodeDirectory {
    private final Clock clock;
    private final Duration grace;

    public NodeDirectory(Clock clock, Duration grace) {
        this.clock = clock;
        this.grace = grace;
    }

    public List<NodeView> all(Context<?> context) {
        Map<String, Map<String, String>> labels = Caches.all(context, Node.class).stream()
                .collect(Collectors.toMap(n -> n.getMetadata().getName(),
                        n -> n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels(), (a, b) -> a));
        Instant now = Instant.now(clock);
        return Caches.all(context, WorkNode.class).stream()
                .map(w -> NodeView.of(w, labels.getOrDefault(w.getMetadata().getName(), Map.of()), now, grace))
                .sorted(Comparator.comparing(NodeView::name))
                .toList();
    }

    public Optional<NodeView> find(Context<?> context, String name) {
        return all(context).stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public Duration grace() {
        return grace;
    }
}

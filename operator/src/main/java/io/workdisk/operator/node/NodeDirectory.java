package io.workdisk.operator.node;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.workdisk.api.node.WorkNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every node with an agent, read from the reconciler's caches of WorkNode records and Node objects (for
 * labels; a node without a Node object has none).
 *
 * <p>Placement needs every node, not the secondaries mapped to the current primary that the SDK's
 * {@code Context} hands out, so each reconciler keeps the two informer event sources it registered and
 * passes them here as the SDK's public {@link ResourceCache} type.
 */
public final class NodeDirectory {
    private final Clock clock;
    private final Duration grace;

    public NodeDirectory(Clock clock, Duration grace) {
        this.clock = clock;
        this.grace = grace;
    }

    /** The informer caches of the WorkNode records and of the Node objects. */
    public record Caches(ResourceCache<WorkNode> records, ResourceCache<Node> kubeNodes) {}

    public List<NodeView> all(Caches caches) {
        Map<String, Map<String, String>> labels = caches.kubeNodes()
                .list()
                .collect(Collectors.toMap(
                        n -> n.getMetadata().getName(),
                        n -> n.getMetadata().getLabels() == null
                                ? Map.of()
                                : n.getMetadata().getLabels(),
                        (a, b) -> a));
        Instant now = Instant.now(clock);
        return caches.records()
                .list()
                .map(w -> NodeView.of(w, labels.getOrDefault(w.getMetadata().getName(), Map.of()), now, grace))
                .sorted(Comparator.comparing(NodeView::name))
                .toList();
    }

    public Duration grace() {
        return grace;
    }
}

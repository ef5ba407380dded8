package io.workdisk.agent.node;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.api.Conditions;
import io.workdisk.api.Timestamps;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.node.WorkNodeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's WorkNode record current: room, disks, seeds, health, heartbeat. Only this agent
 * writes it, so a beat updates the record it last wrote; the record is read again only at the start and
 * after a failed write (a conflict, say, with another copy of this agent).
 */
public final class NodeRecorder {
    private static final Logger log = LoggerFactory.getLogger(NodeRecorder.class);

    private final KubernetesClient client;
    private final String nodeName;
    private final NodeSurvey survey;
    private final Clock clock;
    private final String version;
    private final Supplier<Optional<Duration>> skew;
    private final Duration maxSkew;
    private WorkNode written;

    /** {@code skew}: how far this node's clock is from the API server's; beyond {@code maxSkew} it is not ready. */
    public NodeRecorder(
            KubernetesClient client,
            String nodeName,
            NodeSurvey survey,
            Clock clock,
            String version,
            Supplier<Optional<Duration>> skew,
            Duration maxSkew) {
        this.client = client;
        this.nodeName = nodeName;
        this.survey = survey;
        this.clock = clock;
        this.version = version;
        this.skew = skew;
        this.maxSkew = maxSkew;
    }

    /** One heartbeat; errors are logged and the next beat tries again. */
    public synchronized void beat() {
        try {
            WorkNode record = written != null ? written : readOrCreate();
            record.setStatus(status(record.getStatus()));
            written = client.resources(WorkNode.class).resource(record).updateStatus();
        } catch (KubernetesClientException e) {
            written = null;
            log.warn("cannot update the WorkNode record of {}: {}", nodeName, e.getMessage());
        }
    }

    private WorkNode readOrCreate() {
        WorkNode record = client.resources(WorkNode.class).withName(nodeName).get();
        if (record != null) {
            return record;
        }
        WorkNode fresh = new WorkNode();
        fresh.setMetadata(new ObjectMetaBuilder().withName(nodeName).build());
        return client.resource(fresh).create();
    }

    /**
     * Whether every resize a crash interrupted was rolled back. A disk that could not be stays as it was
     * (growing it fails until it is repaired) and does not make the node unready for its other disks, so
     * it is reported in a condition of its own, with what to do.
     */
    static Condition resizesRecovered(List<String> unrecovered) {
        if (unrecovered.isEmpty()) {
            return Conditions.of(
                    RESIZES_RECOVERED, true, "AllRolledBack", "every resize a crash interrupted was rolled back");
        }
        String shown = String.join("; ", unrecovered.subList(0, Math.min(3, unrecovered.size())))
                + (unrecovered.size() > 3 ? "; and " + (unrecovered.size() - 3) + " more (see the agent's log)" : "");
        return Conditions.of(
                RESIZES_RECOVERED, false, "NeedsRepair", unrecovered.size() + " disk(s) need repair: " + shown);
    }

    /** The node record's condition on interrupted resizes. */
    public static final String RESIZES_RECOVERED = "ResizesRecovered";

    /** The survey as a status; the Ready condition keeps its transition time while its status holds. */
    WorkNodeStatus status(WorkNodeStatus previous) {
        NodeSurvey.Facts f = survey.survey();
        Instant now = Instant.now(clock);
        var ready = Conditions.of("Ready", f.ready(), f.reason(), f.message());
        Optional<Duration> off = f.ready() ? skew.get() : Optional.empty();
        if (off.isPresent() && off.get().abs().compareTo(maxSkew) > 0) {
            ready = Conditions.of(
                    "Ready",
                    false,
                    "ClockSkew",
                    "this node's clock is " + off.get().abs().toSeconds() + "s "
                            + (off.get().isNegative() ? "behind" : "ahead of") + " the API server's (more than "
                            + maxSkew.toSeconds() + "s): its heartbeats cannot be trusted; synchronize it (NTP)");
        }
        return new WorkNodeStatus(
                f.dataRoot(),
                f.capacityBytes(),
                f.freeBytes(),
                f.allocatedBytes(),
                f.disks(),
                f.seeds(),
                version,
                Timestamps.of(now),
                Conditions.merge(
                        previous == null ? List.of() : previous.conditions(),
                        List.of(ready, resizesRecovered(f.unrecovered())),
                        now),
                f.publications().isEmpty() ? null : f.publications());
    }
}

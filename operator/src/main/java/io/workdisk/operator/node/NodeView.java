package io.workdisk.operator.node;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.node.WorkNodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** One node as the operator sees it: its agent's record, its labels, and whether the agent is alive. */
public record NodeView(String name, Map<String, String> labels, WorkNodeStatus record, boolean alive, String why) {

    /** Alive: the agent says it is Ready and its last heartbeat is within the grace period, before or after now. */
    public static NodeView of(WorkNode node, Map<String, String> labels, Instant now, Duration grace) {
        WorkNodeStatus s = node.getStatus();
        String name = node.getMetadata().getName();
        if (s == null || s.heartbeatTime() == null) {
            return new NodeView(name, labels, s, false, "the agent on " + name + " has not reported yet");
        }
        Instant beat = Instant.parse(s.heartbeatTime());
        if (Duration.between(now, beat).compareTo(grace) > 0) {
            // a beat from the future proves nothing about the agent being alive now
            return new NodeView(
                    name,
                    labels,
                    s,
                    false,
                    "the agent on " + name + " reports a heartbeat "
                            + Duration.between(now, beat).toSeconds() + "s ahead of the operator's clock: clock skew");
        }
        if (Duration.between(beat, now).compareTo(grace) > 0) {
            return new NodeView(
                    name,
                    labels,
                    s,
                    false,
                    "the agent on " + name + " last reported at " + beat + ", more than " + grace.toSeconds()
                            + "s ago");
        }
        Condition ready = Conditions.find(s.conditions(), "Ready");
        if (ready == null || !"True".equals(ready.getStatus())) {
            return new NodeView(
                    name,
                    labels,
                    s,
                    false,
                    "the agent on " + name + " is not ready: "
                            + (ready != null ? ready.getMessage() : "no Ready condition"));
        }
        return new NodeView(name, labels, s, true, null);
    }

    public boolean matches(Map<String, String> selector) {
        return selector == null
                || selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    public long capacityBytes() {
        return record == null || record.capacityBytes() == null ? 0 : record.capacityBytes();
    }
}

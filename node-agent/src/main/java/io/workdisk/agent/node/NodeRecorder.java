package io.workdisk.agent.node;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.agent.task.DataLayout;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.node.WorkNodeStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's WorkNode record current: room, disks, seeds, health, heartbeat. Only this agent
 * writes it; a conflict (another copy of this agent?) is left to the next beat.
 */
public final class NodeRecorder {
    private static final Logger log = LoggerFactory.getLogger(NodeRecorder.class);

    private final KubernetesClient client;
    private final String nodeName;
    private final NodeSurvey survey;
    private final Clock clock;
    private final String version;
    private String lastReadyTransition;
    private Boolean lastReady;

    public NodeRecorder(KubernetesClient client, String nodeName, NodeSurvey survey, Clock clock, String version) {
        this.client = client;
        this.nodeName = nodeName;
        this.survey = survey;
        this.clock = clock;
        this.version = version;
    }

    /** One heartbeat; errors are logged and the next beat tries again. */
    public synchronized void beat() {
        try {
            WorkNode record = client.resources(WorkNode.class).withName(nodeName).get();
            if (record == null) {
                WorkNode fresh = new WorkNode();
                fresh.setMetadata(new ObjectMetaBuilder().withName(nodeName).build());
                record = client.resource(fresh).create();
            }
            record.setStatus(status());
            client.resources(WorkNode.class).resource(record).updateStatus();
        } catch (KubernetesClientException e) {
            log.warn("cannot update the WorkNode record of {}: {}", nodeName, e.getMessage());
        }
    }

    WorkNodeStatus status() {
        NodeSurvey.Facts f = survey.survey();
        String now = Instant.now(clock).toString();
        if (lastReady == null || lastReady != f.ready()) {
            lastReady = f.ready();
            lastReadyTransition = now;
        }
        Condition ready = new ConditionBuilder().withType("Ready").withStatus(f.ready() ? "True" : "False")
                .withReason(f.reason()).withMessage(f.message()).withLastTransitionTime(lastReadyTransition).build();
        return new WorkNodeStatus(f.dataRoot(), f.capacityBytes(), f.freeBytes(), f.allocatedBytes(), f.disks(), f.seeds(),
                version, now, List.of(ready));
    }
}

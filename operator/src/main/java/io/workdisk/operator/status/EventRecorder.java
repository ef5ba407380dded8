package io.workdisk.operator.status;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.api.Timestamps;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on WorkDisks and WorkSeeds, so `kubectl describe` tells what happened. */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final String COMPONENT = "workdisk-operator";

    /**
     * Where Events about cluster-scoped objects (WorkSeeds) go: the API server accepts them only in
     * "default" (an Event's namespace must be its object's, and a cluster-scoped object has none), and
     * kubectl describe looks for them in every namespace.
     */
    static final String CLUSTER_SCOPED_NAMESPACE = "default";

    private final KubernetesClient client;
    private final Clock clock;

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        String namespace = about.getMetadata().getNamespace() != null
                ? about.getMetadata().getNamespace()
                : CLUSTER_SCOPED_NAMESPACE;
        String now = Timestamps.now(clock);
        try {
            client.v1()
                    .events()
                    .inNamespace(namespace)
                    .resource(new EventBuilder()
                            .withNewMetadata()
                            .withName(eventName(about.getMetadata().getName()))
                            .withNamespace(namespace)
                            .endMetadata()
                            .withInvolvedObject(new ObjectReferenceBuilder()
                                    .withApiVersion(about.getApiVersion())
                                    .withKind(about.getKind())
                                    .withName(about.getMetadata().getName())
                                    .withNamespace(about.getMetadata().getNamespace())
                                    .withUid(about.getMetadata().getUid())
                                    .build())
                            .withType(type)
                            .withReason(reason)
                            .withMessage(message)
                            .withFirstTimestamp(now)
                            .withLastTimestamp(now)
                            .withCount(1)
                            .withNewSource()
                            .withComponent(COMPONENT)
                            .endSource()
                            .withReportingComponent(COMPONENT)
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            log.warn(
                    "cannot record event {} on {} {}: {}",
                    reason,
                    about.getKind(),
                    about.getMetadata().getName(),
                    e.getMessage());
        }
        log.info(
                "{} {}/{}: {} {}",
                about.getKind(),
                namespace,
                about.getMetadata().getName(),
                reason,
                message);
    }

    /** Like kubectl's: the object's name and a unique suffix, the name cut so the whole stays within 253. */
    static String eventName(String objectName) {
        String suffix = "." + UUID.randomUUID().toString().substring(0, 13);
        String head = objectName.substring(0, Math.min(objectName.length(), 253 - suffix.length()));
        return head.replaceAll("[-.]+$", "") + suffix; // a DNS subdomain's parts end with a letter or digit
    }
}

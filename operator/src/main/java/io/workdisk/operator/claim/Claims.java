package io.workdisk.operator.claim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries out a {@link ClaimPlan} through the API. Each action is idempotent: a replay changes nothing. */
public final class Claims {
    private static final Logger log = LoggerFactory.getLogger(Claims.class);
    private static final int NOT_FOUND = 404;
    private static final int CONFLICT = 409;

    /** Merge patches of the one field each action changes: no read first, so no read grant either. */
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    private final KubernetesClient client;

    public Claims(KubernetesClient client) {
        this.client = client;
    }

    /** Carries out every action; {@code made} is told of each object made. */
    public void carryOut(ClaimPlan plan, Consumer<HasMetadata> made) {
        plan.actions().forEach(a -> carryOut(a, made));
    }

    private void carryOut(ClaimAction action, Consumer<HasMetadata> made) {
        if (action instanceof ClaimAction.Create create) {
            create(create, made);
        } else if (action instanceof ClaimAction.Delete delete) {
            delete(delete);
        } else if (action instanceof ClaimAction.GrowVolume grow) {
            client.persistentVolumes()
                    .withName(grow.volume())
                    .patch(MERGE, "{\"spec\":{\"capacity\":{\"storage\":\"" + grow.bytes() + "\"}}}");
        } else if (action instanceof ClaimAction.GrowClaim grow) {
            client.persistentVolumeClaims()
                    .inNamespace(grow.namespace())
                    .withName(grow.name())
                    .subresource("status")
                    .patch(MERGE, "{\"status\":{\"capacity\":{\"storage\":\"" + grow.bytes() + "\"}}}");
        } else if (action instanceof ClaimAction.Reopen reopen) {
            client.persistentVolumes()
                    .withName(reopen.volume())
                    .patch(MERGE, "{\"spec\":{\"claimRef\":{\"uid\":null,\"resourceVersion\":null}}}");
        }
    }

    private void create(ClaimAction.Create create, Consumer<HasMetadata> made) {
        try {
            made.accept(client.resource(create.object()).create());
            log.info(
                    "made {} {}",
                    create.object().getKind(),
                    create.object().getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != CONFLICT) {
                throw e;
            }
            // someone made it meanwhile: the next reconcile sees whose it is
        }
    }

    private void delete(ClaimAction.Delete delete) {
        var object = delete.object();
        try {
            client.resource(object).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != NOT_FOUND && e.getCode() != CONFLICT) {
                throw e;
            }
        }
    }
}

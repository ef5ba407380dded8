package io.workdisk.operator.workseed;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.workdisk.api.workseed.WorkSeed;
import java.util.Map;
import java.util.Objects;

/**
 * The changes of a WorkSeed that wake its reconcile: those of its spec (a new generation), of the
 * annotation that asks for its image tag to be resolved again, of its finalizers, and its deletion. Not its
 * status, which the operator itself writes: the SDK's generation-aware filtering, which this replaces,
 * would also drop the annotation.
 */
public final class SeedSpecChanges implements OnUpdateFilter<WorkSeed> {
    @Override
    public boolean accept(WorkSeed now, WorkSeed before) {
        return !Objects.equals(
                        now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                || !Objects.equals(resolveRequest(now), resolveRequest(before))
                || !Objects.equals(
                        now.getMetadata().getFinalizers(), before.getMetadata().getFinalizers())
                || !Objects.equals(
                        now.getMetadata().getDeletionTimestamp(),
                        before.getMetadata().getDeletionTimestamp());
    }

    private static String resolveRequest(WorkSeed seed) {
        Map<String, String> annotations = seed.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(ImageResolution.ANNOTATION);
    }
}

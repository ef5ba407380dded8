package io.workdisk.operator.workseed;

import io.workdisk.api.task.ImageReference;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.SeedOwnership;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.workseed.ResolvedImage;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.operator.task.Tasks;
import java.util.Optional;

/**
 * Names what a seed is built from, so a changed source, subtree or ownership, or an image tag that now
 * names another digest, is seen as a different seed. What an ext4 source and the default ownership
 * contribute is written exactly as before images existed, so seeds built then are not rebuilt.
 */
public final class SeedDigest {
    private SeedDigest() {}

    /** The digest of the seed's spec as its status says the image resolved; empty while it is not known. */
    public static Optional<String> of(WorkSeed seed) {
        return of(
                seed.getSpec(),
                seed.getStatus() == null ? null : seed.getStatus().resolvedImage());
    }

    /**
     * The digest of {@code spec}, its image (if any) named by the digest in {@code resolved}, or by its own
     * digest when pinned; empty when the spec names an image by a tag that {@code resolved} does not answer.
     */
    public static Optional<String> of(WorkSeedSpec spec, ResolvedImage resolved) {
        return imageDigest(spec.source(), resolved).map(digest -> {
            String identity = identity(spec.source(), digest) + "\n" + spec.effectiveSubtree();
            if (spec.effectiveOwnership() != SeedOwnership.Root) {
                identity += "\nownership:" + spec.effectiveOwnership();
            }
            return Tasks.digest(identity, 12);
        });
    }

    /**
     * The digest the spec's image is built from: its own when pinned, else the resolved one when it answers
     * this very reference; "" for sources that are not registry images.
     */
    static Optional<String> imageDigest(SeedSource source, ResolvedImage resolved) {
        if (source == null || source.image() == null) {
            return Optional.of("");
        }
        ImageReference ref = ImageReference.parse(source.image().reference());
        if (ref.pinned()) {
            return Optional.of(ref.digest());
        }
        return resolved != null && source.image().reference().equals(resolved.reference()) && resolved.digest() != null
                ? Optional.of(resolved.digest())
                : Optional.empty();
    }

    private static String identity(SeedSource source, String imageDigest) {
        if (source == null) {
            return "none";
        }
        if (source.image() != null) {
            ImageSource image = source.image();
            String name = ImageReference.parse(image.reference()).name();
            return "image:" + name + "@" + imageDigest + (image.platform() == null ? "" : " " + image.platform());
        }
        return source.describe() + (source.http() != null ? "@" + source.http().sha256() : "");
    }
}

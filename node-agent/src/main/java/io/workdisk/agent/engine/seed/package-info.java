/**
 * Seeds: small ext4 images built from a root filesystem (or, through {@code engine.image}, from a container
 * image's layers), for disks to be materialized from.
 *
 * <p>Where a comment here cites "banger's rule": banger is the Go VM manager ({@code banger vm create})
 * whose work-disk helpers this engine replaces; its seed names and sizes are kept, so seeds made by either
 * look alike.
 */
package io.workdisk.agent.engine.seed;

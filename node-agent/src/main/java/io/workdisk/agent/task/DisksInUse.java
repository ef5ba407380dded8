package io.workdisk.agent.task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Who has a disk image published on this node, as the node's CSI service recorded it. Asked before a resize
 * or delete step touches the image: the operator waits for an unpublish before asking, and this check covers
 * a publication that slipped in after it looked.
 */
@FunctionalInterface
public interface DisksInUse {
    /** Nobody ever: an agent without the CSI service's records (tests of the engine steps alone). */
    DisksInUse NONE = image -> List.of();

    /** One line per publication of the image at {@code image} (who and where); empty when it is published nowhere. */
    List<String> users(Path image) throws IOException;
}

package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.shared.EngineException;

/** Where a blob's bytes go as they arrive; it may refuse more (a size that lies) by throwing. */
@FunctionalInterface
interface BlobSink {
    void write(byte[] buffer, int offset, int length) throws EngineException;
}

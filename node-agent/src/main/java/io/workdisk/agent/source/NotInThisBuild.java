package io.workdisk.agent.source;

import io.workdisk.agent.engine.EngineException;
import io.workdisk.agent.engine.Problem;
import io.workdisk.agent.engine.files.DataRoot;
import io.workdisk.api.task.ImageSource;

/** The image source where this build of the agent has none: every request fails, saying so. */
final class NotInThisBuild implements ImageSeeds {
    static final String WHY =
            "container image sources (image, ociArchive) are not available in this build of the " + "workdisk agent";

    @Override
    public String resolve(ImageSource image) throws EngineException {
        throw new EngineException(Problem.UNSUPPORTED_SOURCE, "cannot resolve " + image.reference() + ": " + WHY);
    }

    @Override
    public Built build(DataRoot root, Request request, Progress progress) throws EngineException {
        String what = request.image() != null ? request.image().reference() : DataRoot.quoted(request.archive());
        throw new EngineException(Problem.UNSUPPORTED_SOURCE, "cannot build a seed from " + what + ": " + WHY);
    }
}

package io.workdisk.agent.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every step that creates a disk image takes besides its size: how to lay it out, and where. */
final class NewDiskOptions {
    @Option(names = "--preallocate", description = "Reserve every block now instead of a sparse file.")
    boolean preallocate;

    @Option(names = "--force", description = "Replace OUT if it is a disk workdisk made for the same requester.")
    boolean force;

    @Parameters(paramLabel = "OUT", description = "The disk image to create.")
    Path out;
}

package io.workdisk.agent.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every subcommand takes. */
public final class CommonOptions {
    @Option(
            names = "--root",
            paramLabel = "DIR",
            description = "Data root every written path must stay inside (default: the output's directory).")
    Path root;

    @Option(names = "--json", description = "Print a machine-readable result, with the step's wall time as 'seconds'.")
    boolean json;

    @Option(
            names = "--requester",
            paramLabel = "ID",
            defaultValue = "cli",
            description =
                    "Who the disk is made for; only the same requester may replace, grow or delete it (default: ${DEFAULT-VALUE}).")
    String requester;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;
}

package io.workdisk.agent.cli;

import io.workdisk.agent.engine.shared.ErrorText;
import java.io.PrintStream;
import picocli.CommandLine;

/**
 * How the agent CLI answers what no step reports itself: a usage error is one line and where to read the
 * usage (exit 2); a failure no step foresaw is a bug, one line for the user and never a stack trace of class
 * names (exit 1).
 */
final class CliFailures implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
    private final PrintStream err;

    CliFailures(PrintStream err) {
        this.err = err;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        String command = ex.getCommandLine().getCommandName();
        err.println("workdisk: " + ex.getMessage());
        err.println("Run 'workdisk agent " + (command.equals("workdisk agent") ? "" : command + " ")
                + "--help' for usage.");
        return 2;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parsed) {
        err.println("workdisk: unexpected error: " + ErrorText.of(ex));
        return 1;
    }
}

package io.workdisk.demo;

import io.workdisk.agent.cli.AgentCli;
import io.workdisk.operator.OperatorCommand;
import java.util.Arrays;

/** One jar, three programs: the launcher picks one by its first argument. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "agent" -> AgentCli.main(rest);
            case "operator" -> OperatorCommand.main(rest);
            case "demo" -> DemoCommand.main(rest);
            default -> {
                System.err.println("usage: workdisk <agent|operator|demo> ...");
                System.exit(2);
            }
        }
    }
}

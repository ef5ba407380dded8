package io.workdisk.demo;

import java.util.Arrays;

/** One jar, three programs: the launcher picks one by its first argument. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "agent" -> io.workdisk.agent.cli.AgentCli.main(rest);
            case "operator" -> io.workdisk.operator.OperatorCommand.main(rest);
            case "demo" -> DemoCommand.main(rest);
            default -> {
                System.err.println("usage: workdisk <agent|operator|demo> ...");
                System.exit(2);
            }
        }
    }
}

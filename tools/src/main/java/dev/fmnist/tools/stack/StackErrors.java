package dev.fmnist.tools.stack;

import picocli.CommandLine;

/**
 * The stack commands' errors in the script's style: {@code fmnist: ERROR: what failed} and what to do, exit
 * status 1; a wrong option of {@code up}, {@code down}, {@code status} or {@code benchmark} names the command and points to the help.
 */
public final class StackErrors {
    private static final java.util.Set<String> STACK_COMMANDS = java.util.Set.of("up", "down", "status", "benchmark");

    private StackErrors() {
    }

    public static CommandLine install(CommandLine cl) {
        CommandLine.IExecutionExceptionHandler previous = cl.getExecutionExceptionHandler();
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof StackException se) {
                se.print();
                return 1;
            }
            String name = line.getCommandName();
            if (STACK_COMMANDS.contains(name)) {
                // e.g. the launcher's "quarkus-run.jar is missing: package ... first"
                new StackException(name + " failed: " + e.getMessage(),
                        "The stack stops what it started. Rebuild with './fmnist up --build' if a jar is missing;",
                        "the logs are in runs/latest/.").print();
                return 1;
            }
            return previous.handleExecutionException(e, line, parsed);
        });
        CommandLine.IParameterExceptionHandler params = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((e, args) -> {
            String name = e.getCommandLine().getCommandName();
            if (!STACK_COMMANDS.contains(name)) {
                return params.handleParseException(e, args);
            }
            String message = e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                    ? "unknown option for " + name + ": " + u.getUnmatched().get(0)
                    : e.getMessage();
            new StackException(message, "See './fmnist help'.").print();
            return 1;
        });
        return cl;
    }
}

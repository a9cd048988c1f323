package dev.fmnist.tools.stack;

import picocli.CommandLine;

/**
 * The stack commands' errors in the script's style: {@code fmnist: ERROR: what failed} and what to do, exit
 * status 1; a wrong option of {@code up}, {@code down} or {@code status} names the command and points to the help.
 */
public final class StackErrors {
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
            if (name.equals("up") || name.equals("down") || name.equals("status")) {
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
            if (!name.equals("up") && !name.equals("down") && !name.equals("status")) {
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

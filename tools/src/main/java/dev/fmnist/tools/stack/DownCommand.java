package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/** {@code ./fmnist down}: asks the running {@code up} to stop the stack; stops whatever is left (after a {@code kill -9} of it). */
@Command(name = "down", description = "Stop the stack that 'up' started (services first, then the broker).")
public final class DownCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        List<RunDirectory> runs = RunDirectory.withPidFiles(StackSettings.fromEnvironment().runsDir);
        for (RunDirectory run : runs) {
            Optional<ProcessHandle> up = run.pidFile("up").live();
            if (up.isPresent()) {
                say("asking './fmnist up' (" + run + ", pid " + up.get().pid() + ") to stop the stack");
                up.get().destroy();
                try {
                    up.get().onExit().get(120, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // left to the stops below
                }
            }
            // whatever is left (for example after 'up' was killed with -9)
            run.stopAll(StackSettings.ALL_SERVICES);
            run.pidFile("up").delete();
        }
        say(!runs.isEmpty() ? "the stack is stopped" : "nothing to stop");
        return 0;
    }
}

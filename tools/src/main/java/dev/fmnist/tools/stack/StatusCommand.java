package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.launcher.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ./fmnist status}: what runs, from the pid files of the run directories, with the services' readiness. */
@Command(name = "status", description = "What runs, with the services' readiness.")
public final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        StackSettings s = StackSettings.fromEnvironment();
        List<RunDirectory> runs = RunDirectory.withPidFiles(s.runsDir);
        for (RunDirectory run : runs) {
            System.out.println("run directory: " + run);
            List<String> names = new ArrayList<>(List.of("up", "kafka"));
            names.addAll(StackSettings.ALL_SERVICES);
            for (String name : names) {
                if (!run.pidFile(name).exists()) {
                    continue;
                }
                String shown = name.equals("up") ? "fmnist up" : name;
                Optional<ProcessHandle> p = run.pidFile(name).live();
                if (p.isEmpty()) {
                    System.out.printf("  %-18s not running (stale pid file)%n", shown);
                } else if (name.equals("up")) {
                    System.out.printf("  %-18s running   pid %s%n", shown, p.get().pid());
                } else if (name.equals("kafka")) {
                    String open = KafkaBrokerProcess.portOpen(s.kafkaPort) ? "open" : "closed";
                    System.out.printf("  %-18s running   pid %-8s port %d %s%n", shown, p.get().pid(), s.kafkaPort, open);
                } else {
                    String url = s.serviceUrl(name, "/q/health/ready");
                    int code = ServiceProcess.status(url);
                    System.out.printf("  %-18s running   pid %-8s %s -> %s%n", shown, p.get().pid(), url,
                            code < 0 ? "no answer" : Integer.toString(code));
                }
            }
        }
        if (runs.isEmpty()) {
            say("nothing runs (start it with './fmnist up')");
        }
        System.out.flush();
        return 0;
    }
}

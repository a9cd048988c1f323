package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import dev.fmnist.launcher.PidFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** One run of the stack: runs/yyyyMMdd-HHmmss/ with the logs, server.properties and the pid files of what it started. */
final class RunDirectory {
    final Path dir;

    RunDirectory(Path dir) {
        this.dir = dir;
    }

    PidFile pidFile(String component) {
        return new PidFile(dir.resolve(component + ".pid"), StackSettings.pidPattern(component));
    }

    Path log(String component) {
        return dir.resolve(component + ".log");
    }

    boolean hasPidFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".pid"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The run directories that have pid files, newest first. */
    static List<RunDirectory> withPidFiles(Path runsDir) {
        List<RunDirectory> runs = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) {
            return runs;
        }
        try (Stream<Path> dirs = Files.list(runsDir)) {
            dirs.filter(d -> d.getFileName().toString().matches("\\d+-\\d+") && Files.isDirectory(d))
                    .sorted(Comparator.comparing(Path::toString).reversed())
                    .map(RunDirectory::new).filter(RunDirectory::hasPidFiles).forEach(runs::add);
        } catch (IOException e) {
            throw new StackException("cannot read " + runsDir + ": " + e.getMessage());
        }
        return runs;
    }

    /** Services first (in parallel), then the broker they use. */
    void stopAll(List<String> services) {
        List<Thread> stops = new ArrayList<>();
        for (String svc : services) {
            PidFile pid = pidFile(svc);
            if (pid.exists()) {
                Thread t = new Thread(() -> stop(pid, svc, 30), "stop-" + svc);
                t.start();
                stops.add(t);
            }
        }
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        PidFile kafka = pidFile("kafka");
        if (kafka.exists()) {
            stop(kafka, "Kafka broker", 60);
        }
    }

    private static void stop(PidFile pid, String name, int seconds) {
        if (pid.stop(seconds, () -> say(name + " did not stop within " + seconds + "s: killing it"))) {
            say(name + " stopped");
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}

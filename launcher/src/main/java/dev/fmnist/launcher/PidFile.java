package dev.fmnist.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A pid file of a process the local stack started, so that another process ({@code ./fmnist down},
 * {@code ./fmnist status}) finds and stops it. A pid counts only while it still runs the expected
 * program: its command line contains a pattern (pids are reused).
 */
public final class PidFile {
    private final Path file;
    private final String pattern;

    public PidFile(Path file, String pattern) {
        this.file = file;
        this.pattern = pattern;
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.isRegularFile(file);
    }

    public void write(long pid) throws IOException {
        Files.writeString(file, pid + "\n");
    }

    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // gone or not ours: nothing to stop through it anyway
        }
    }

    /** The process of the pid file when it runs and is the expected program. */
    public Optional<ProcessHandle> live() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> commandLine(p).contains(pattern));
    }

    /** The full command line of a process (from /proc where there is one), arguments separated by spaces. */
    public static String commandLine(ProcessHandle p) {
        Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        try {
            return new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    /**
     * Stops the process: SIGTERM, then {@code kill -9} after {@code seconds}; removes the pid file. Returns
     * false when nothing ran (a stale file), "killed" in {@code onKill} when it had to kill it.
     */
    public boolean stop(int seconds, Runnable onKill) {
        Optional<ProcessHandle> p = live();
        if (p.isEmpty()) {
            delete();
            return false;
        }
        ProcessHandle h = p.get();
        h.destroy();
        try {
            h.onExit().get(seconds, TimeUnit.SECONDS);
        } catch (Exception timeoutOrInterrupt) {
            onKill.run();
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // it is being killed; nothing else to do
            }
        }
        delete();
        return true;
    }
}

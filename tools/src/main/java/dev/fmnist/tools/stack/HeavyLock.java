package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * FMNIST_LOCK: a lock file held (flock(1), the lock the other heavy jobs on a shared machine take) while the
 * stack starts. Java's own file locks are fcntl locks, which flock does not see: the lock is held by a
 * {@code flock} child process and released when its standard input closes.
 */
final class HeavyLock implements AutoCloseable {
    private final Process holder;
    final long waitedSeconds;

    private HeavyLock(Process holder, long waitedSeconds) {
        this.holder = holder;
        this.waitedSeconds = waitedSeconds;
    }

    /** Takes the lock named by FMNIST_LOCK, waiting as long as needed; an empty lock when the variable is not set. */
    static HeavyLock take(String lockFile) throws Exception {
        if (lockFile == null || lockFile.isBlank()) {
            return new HeavyLock(null, 0);
        }
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder("flock", lockFile, "sh", "-c", "echo locked; exec cat >/dev/null")
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new StackException("FMNIST_LOCK is set but flock(1) cannot run: " + e.getMessage(),
                    "Install util-linux, or unset FMNIST_LOCK.");
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                return null;
            }
        });
        boolean waited = false;
        String first;
        try {
            first = line.get(300, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            waited = true;
            say("waiting for the lock " + lockFile + " (another heavy job runs)");
            first = line.get();
        }
        if (!"locked".equals(first)) {
            p.destroy();
            throw new StackException("cannot take the lock " + lockFile + ": flock said " + first);
        }
        long seconds = waited ? TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) : 0;
        if (waited) {
            say("got the lock after " + seconds + "s");
        }
        return new HeavyLock(p, seconds);
    }

    @Override
    public void close() {
        if (holder != null && holder.isAlive()) {
            try {
                holder.getOutputStream().close();
                if (!holder.waitFor(5, TimeUnit.SECONDS)) {
                    holder.destroy();
                }
            } catch (Exception e) {
                holder.destroy();
            }
        }
    }
}

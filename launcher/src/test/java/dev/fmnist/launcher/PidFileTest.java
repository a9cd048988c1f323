package dev.fmnist.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pid file names a process only while that process runs the expected program, from the moment it started. */
class PidFileTest {

    @Test
    void aJustStartedProcessIsLiveThroughItsPidFileAndGoneOnceStopped(@TempDir Path dir) throws Exception {
        // the benchmark checked the pid file right after the start and took a service for gone: the JDK's spawn
        // helper showed its own command line for a moment
        for (int i = 0; i < 20; i++) {
            Process p = new ProcessBuilder(List.of("sleep", "30")).start();
            ServiceProcess.awaitExec(p, "sleep 30");
            PidFile pid = new PidFile(dir.resolve("sleep.pid"), "sleep 30");
            pid.write(p.pid());
            assertThat(pid.live()).as("start %d", i).isPresent();
            assertThat(pid.stop(5, () -> { })).isTrue();
            assertThat(p.isAlive()).isFalse();
            assertThat(Files.exists(pid.file())).isFalse();
            assertThat(pid.live()).isEmpty();
        }
    }

    @Test
    void aPidThatRunsAnotherProgramIsNotOurs(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder(List.of("sleep", "30")).start();
        try {
            ServiceProcess.awaitExec(p, "sleep 30");
            PidFile pid = new PidFile(dir.resolve("kafka.pid"), "kafka.Kafka");
            pid.write(p.pid());
            assertThat(pid.live()).isEmpty();
            assertThat(pid.stop(5, () -> { })).isFalse();
            assertThat(p.isAlive()).as("a stale pid file never stops someone else's process").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}

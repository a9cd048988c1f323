package dev.fmnist.trainer.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;

/**
 * Entry point: without arguments (or with {@code serve}) the REST service; with a command
 * ({@code train}, {@code evaluate}, {@code report}, {@code benchmark}) a CLI run that exits with
 * the command's code (2 for bad input).
 */
@QuarkusMain
public class TrainerMain {

    public static void main(String... args) {
        if (args.length > 0 && !"serve".equals(args[0])) {
            // a CLI run must not clash with a trainer service already listening on the configured port
            if (System.getProperty("quarkus.http.port") == null && System.getenv("QUARKUS_HTTP_PORT") == null) {
                System.setProperty("quarkus.http.port", "0");
            }
        }
        Quarkus.run(App.class, args);
    }

    public static class App implements QuarkusApplication {
        @Inject
        TrainerCommands commands;

        @Override
        public int run(String... args) {
            if (args.length == 0 || "serve".equals(args[0])) {
                Quarkus.waitForExit();
                return 0;
            }
            return commands.execute(args);
        }
    }
}

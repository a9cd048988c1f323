package dev.fmnist.tools;

import dev.fmnist.tools.demo.ScoreImageCommand;
import dev.fmnist.tools.demo.StreamTestSetCommand;
import dev.fmnist.tools.load.LoadGeneratorCommand;
import dev.fmnist.tools.report.BenchmarkReportCommand;
import dev.fmnist.tools.stack.BenchmarkCommand;
import dev.fmnist.tools.stack.CreateTopicsCommand;
import dev.fmnist.tools.stack.DownCommand;
import dev.fmnist.tools.stack.StackErrors;
import dev.fmnist.tools.stack.StatusCommand;
import dev.fmnist.tools.stack.UpCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the tools, run by the {@code fmnist} script: the local stack ({@code up}, {@code down}, {@code status}, {@code benchmark})
 * and the clients {@code stream}, {@code score}, {@code load}, {@code report} and {@code topics}.
 */
@Command(name = "fmnist", mixinStandardHelpOptions = true,
        description = "Clients that drive and measure a running platform.",
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, BenchmarkCommand.class, StreamTestSetCommand.class, ScoreImageCommand.class, LoadGeneratorCommand.class, dev.fmnist.tools.load.CompressionCommand.class,
                BenchmarkReportCommand.class, CreateTopicsCommand.class})
public final class ToolsMain implements Runnable {

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return StackErrors.install(new CommandLine(new ToolsMain()));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}

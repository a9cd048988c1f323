package dev.fmnist.tools;

import dev.fmnist.tools.demo.ScoreImageCommand;
import dev.fmnist.tools.demo.StreamTestSetCommand;
import dev.fmnist.tools.load.LoadGeneratorCommand;
import dev.fmnist.tools.report.BenchmarkReportCommand;
import dev.fmnist.tools.stack.CreateTopicsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the tools: {@code stream}, {@code score}, {@code load}, {@code report} and {@code topics}, run by the {@code fmnist} script. */
@Command(name = "fmnist", mixinStandardHelpOptions = true,
        description = "Clients that drive and measure a running platform.",
        subcommands = {StreamTestSetCommand.class, ScoreImageCommand.class, LoadGeneratorCommand.class,
                BenchmarkReportCommand.class, CreateTopicsCommand.class})
public final class ToolsMain implements Runnable {

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new ToolsMain());
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}

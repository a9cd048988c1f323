package dev.fmnist.tools.demo;

import dev.fmnist.tools.KafkaOptions;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where the running stack is and which models answer: the options shared by {@code stream} and {@code score}. */
public final class StackOptions {
    @Option(names = "--models", defaultValue = "cnn,lenet,xgboost", split = ",", description = "models expected to answer (default ${DEFAULT-VALUE})")
    List<String> models;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--explainer-url", defaultValue = "http://127.0.0.1:8083", description = "printed links (default ${DEFAULT-VALUE})")
    String explainerUrl;
}

package dev.fmnist.benchmarks;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Raw model throughput: one native call of {@code batch} test images through the newest registered
 * version of {@code model}, with every CPU (the inference service's default threads), no Kafka,
 * HTTP or JSON. JMH reports calls per second; images per second are that times {@code batch} (the
 * report does the multiplication). The inputs are real test images, converted once in the set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class ScoringBenchmark {

    @Param({"lenet", "cnn", "xgboost", "forest"})
    public String model;

    @Param({"1", "256"})
    public int batch;

    private ModelScorer scorer;
    private float[] input;

    @Setup(Level.Trial)
    public void open() throws Exception {
        scorer = ModelScorers.open(RegistryModels.latest(model), ScorerOptions.cpu());
        LabelledImages test = FashionMnist.load().test();
        input = new float[batch * ModelScorer.INPUT_SIZE];
        for (int i = 0; i < batch; i++) {
            Pixels.toModelInput(test.image(i % test.size()), input, i * ModelScorer.INPUT_SIZE);
        }
    }

    @Benchmark
    public float[] score() {
        return scorer.score(input, batch);
    }

    @TearDown(Level.Trial)
    public void close() {
        scorer.close();
    }
}

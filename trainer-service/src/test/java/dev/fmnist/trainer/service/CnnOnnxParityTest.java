package dev.fmnist.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.trainer.cnn.CnnWeights;
import dev.fmnist.trainer.cnn.OnnxCnnExporter;
import dev.fmnist.trainer.cnn.OnnxParity;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.domain.TrainingOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production training path checks the ONNX export against the training engine on 1,000
 * validation images and refuses a disagreeing export before anything is registered (the training
 * service registers only what {@link ModelTrainer#train} returns).
 */
class CnnOnnxParityTest {
    /** 10,000 images: 9,000 to train one quick epoch on, 1,000 validation images for the check. */
    static TrainingData split;

    @BeforeAll
    static void load() {
        split = TrainingData.of(FashionMnist.load().train(), 42, 10_000);
    }

    @Test
    void aFaithfulExportPassesOnOneThousandValidationImages() {
        TrainedModel trained = new CnnModelTrainer(PublishFailureTest.config())
                .train("lenet", split, new TrainingOptions(1, 10_000, 42, 2), TrainingListener.NONE);
        try {
            assertThat(split.validation().size()).isEqualTo(1_000);
            assertThat(trained.metrics()).containsEntry("onnxParityImages", 1_000);
            assertThat((double) trained.metrics().get("onnxParityMaxDifference")).isLessThanOrEqualTo(1e-4);
        } finally {
            trained.scorer().close();
        }
    }

    @Test
    void anExportThatDisagreesWithTheEngineIsRefusedNamingTheFigure() {
        AtomicInteger exports = new AtomicInteger();
        // the exported graph gets one output bias moved: the engine keeps the trained weights
        CnnModelTrainer trainer = new CnnModelTrainer(PublishFailureTest.config(), (weights, meta) -> {
            exports.incrementAndGet();
            return OnnxCnnExporter.export(withShiftedOutputBias(weights, 0.05f), meta);
        });
        assertThatThrownBy(() -> trainer.train("lenet", split, new TrainingOptions(1, 10_000, 42, 2),
                TrainingListener.NONE))
                .isInstanceOf(OnnxParity.OnnxParityException.class)
                .hasMessageContaining("lenet: the ONNX export disagrees with the training engine on 1,000 validation images")
                .hasMessageContaining("max |p_onnx - p_engine| = ")
                .hasMessageContaining("(limit 1e-04)")
                .hasMessageContaining("the version is not registered")
                .satisfies(e -> assertThat(((OnnxParity.OnnxParityException) e).result().maxDifference())
                        .isGreaterThan(1e-4));
        assertThat(exports).hasValue(1); // the artifact to register was never made
    }

    @Test
    void identicalProbabilitiesAgreeAndOneFlippedClassDoesNot() {
        float[] engine = {0.6f, 0.4f, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(OnnxParity.compare(engine, engine.clone(), 1).agrees()).isTrue();
        float[] close = {0.60005f, 0.39995f, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(OnnxParity.compare(engine, close, 1).maxDifference()).isCloseTo(5e-5, within(1e-6));
        assertThat(OnnxParity.compare(engine, close, 1).agrees()).isTrue();
        float[] flipped = {0.4f, 0.6f, 0, 0, 0, 0, 0, 0, 0, 0};
        OnnxParity.Result r = OnnxParity.compare(engine, flipped, 1);
        assertThat(r.classesDiffering()).isEqualTo(1);
        assertThat(r.agrees()).isFalse();
        float[] nan = engine.clone();
        nan[3] = Float.NaN;
        assertThat(OnnxParity.compare(engine, nan, 1).agrees()).isFalse();
    }

    /** The weights with the output layer's bias of class 0 raised by {@code delta}. */
    static CnnWeights withShiftedOutputBias(CnnWeights weights, float delta) {
        List<Map<String, float[]>> layers = new ArrayList<>(weights.layers());
        int last = layers.size() - 1;
        while (!layers.get(last).containsKey("bias")) {
            last--;
        }
        Map<String, float[]> output = new LinkedHashMap<>();
        layers.get(last).forEach((name, values) -> output.put(name, values.clone()));
        output.get("bias")[0] += delta;
        layers.set(last, output);
        return new CnnWeights(weights.architecture(), layers);
    }
}

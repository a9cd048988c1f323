package dev.fmnist.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.domain.TrainingOptions;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed study ({@code trainer benchmark --seeds N}) measures a spread only if the seed reaches
 * the model: the same seed must give the same model (byte for byte), another seed another model.
 * Each model trains as the study trains it ({@link TrainingService#trainForSeedStudy}: the split
 * and the trainer both seeded), on 1,500 training images, in seconds.
 */
class SeedTest {
    static LabelledImages pool;

    @BeforeAll
    static void load() {
        pool = FashionMnist.load().train();
    }

    @ParameterizedTest
    @ValueSource(strings = {"xgboost", "forest"})
    void treeModelsSameSeedSameModelOtherSeedOtherModel(String model) {
        XgboostModelTrainer trainer = new XgboostModelTrainer();
        byte[] a = train(trainer, model, 1, 5);
        byte[] b = train(trainer, model, 1, 5);
        byte[] c = train(trainer, model, 2, 5);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void lenetSameSeedSameModelOtherSeedOtherModel() {
        CnnModelTrainer trainer = new CnnModelTrainer(PublishFailureTest.config());
        byte[] a = train(trainer, "lenet", 1, 1);
        byte[] b = train(trainer, "lenet", 1, 1);
        byte[] c = train(trainer, "lenet", 2, 1);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    /** The artifact of {@code model} trained with {@code seed} for {@code epochs} (rounds, trees per class) without a grid search. */
    private static byte[] train(ModelTrainer trainer, String model, long seed, int epochs) {
        TrainingData data = TrainingData.of(pool, seed, 1_500);
        TrainedModel trained = trainer.train(model, data, new TrainingOptions(epochs, 1_500, seed, 2, false),
                TrainingListener.NONE);
        try {
            return trained.exporter().apply(Map.of("name", model, "version", "1", "training_run_id", "seed-test"));
        } finally {
            trained.scorer().close();
        }
    }
}

package dev.fmnist.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.evaluation.HeldOutTestSet;
import dev.fmnist.trainer.service.ModelTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protocol of docs/training.md: training code cannot reach the test set. The compiled trainer
 * classes (packages {@code data}, {@code cnn}, {@code xgboost} and the {@code service.*ModelTrainer}
 * classes, inner classes included) are read as bytes: a class refers to another through its
 * constant pool, which holds the other's internal name ({@code dev/fmnist/...}) in plain ASCII, and
 * a string literal such as a file name the same way. None may name the held-out test set, the
 * report data that carries it, the dataset loader and its files (which would hand out
 * {@code FashionMnist.test()}), the training service (which holds the dataset), or the test IDX
 * files ({@code t10k-...}).
 */
class TestSetIsolationTest {
    static final List<String> FORBIDDEN = List.of(
            "dev/fmnist/trainer/evaluation/HeldOutTestSet",
            "dev/fmnist/trainer/evaluation/Evaluator",
            "dev/fmnist/trainer/report/ReportWriter$ReportData",
            "dev/fmnist/common/data/FashionMnist",
            "dev/fmnist/common/data/DatasetFile",
            "dev/fmnist/common/data/DatasetLocator",
            "dev/fmnist/common/data/IdxReader",
            "dev/fmnist/trainer/service/TrainingService",
            "t10k");

    @Test
    void noTrainerClassRefersToTheTestSetTheDatasetLoaderOrTheTestFiles() throws Exception {
        List<Path> trainerClasses = trainerClasses();
        List<String> names = trainerClasses.stream().map(p -> p.getFileName().toString()).toList();
        // the scan reads the classes that train: an empty or wrong folder would pass vacuously
        assertThat(names).contains("CnnModelTrainer.class", "XgboostModelTrainer.class", "ModelTrainer.class",
                "DjlCnnTrainer.class", "XgboostTrainer.class", "TrainingData.class");
        List<String> violations = new ArrayList<>();
        for (Path c : trainerClasses) {
            violations.addAll(violations(c));
        }
        assertThat(violations).as("trainer classes that can reach the test set (docs/training.md, \"Protocol\")").isEmpty();
    }

    @Test
    void theScanFindsATrainerThatPeeks() throws Exception {
        Path peeking = classFile(PeekingTrainer.class);
        assertThat(violations(peeking)).anySatisfy(v -> assertThat(v).contains("dev/fmnist/common/data/FashionMnist"))
                .anySatisfy(v -> assertThat(v).contains("t10k"));
    }

    @Test
    void trainersAreHandedTrainAndValidationOnlyAndTheTestImagesStayInTheEvaluationPackage() throws Exception {
        Method train = ModelTrainer.class.getMethod("train", String.class, TrainingData.class,
                dev.fmnist.trainer.domain.TrainingOptions.class, dev.fmnist.trainer.domain.TrainingListener.class);
        assertThat(train.getParameterTypes()).doesNotContain(HeldOutTestSet.class);
        assertThat(Arrays.stream(TrainingData.class.getRecordComponents()).map(c -> c.getName()))
                .containsExactly("train", "validation");
        assertThat(HeldOutTestSet.class.getConstructors()).isEmpty();
        for (Method m : HeldOutTestSet.class.getDeclaredMethods()) {
            if (m.getReturnType() == LabelledImages.class) {
                assertThat(Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()))
                        .as(m + " hands out the test images").isFalse();
            }
        }
    }

    /** What the scan must refuse: a trainer reading the official test images. */
    static final class PeekingTrainer {
        static int peek() {
            String file = "t10k-images-idx3-ubyte.gz";
            return FashionMnist.load().test().size() + file.length();
        }
    }

    static List<String> violations(Path classFile) throws IOException {
        // ISO-8859-1 keeps every byte as one char: the constant pool's ASCII names read as written
        String bytes = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
        return FORBIDDEN.stream().filter(bytes::contains).map(f -> classFile.getFileName() + " refers to " + f).toList();
    }

    static List<Path> trainerClasses() throws IOException, URISyntaxException {
        Path root = classesRoot().resolve("dev/fmnist/trainer");
        List<Path> out = new ArrayList<>();
        for (String pkg : List.of("data", "cnn", "xgboost")) {
            try (Stream<Path> s = Files.walk(root.resolve(pkg))) {
                s.filter(p -> p.toString().endsWith(".class")).forEach(out::add);
            }
        }
        try (Stream<Path> s = Files.list(root.resolve("service"))) {
            s.filter(p -> p.getFileName().toString().matches(".*ModelTrainer(\\$.*)?\\.class")).forEach(out::add);
        }
        return out;
    }

    private static Path classesRoot() throws URISyntaxException {
        return Path.of(TrainingData.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path classFile(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .resolve(type.getName().replace('.', '/') + ".class");
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}

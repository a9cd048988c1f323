package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagesTest {

    static final Instant NOW = Instant.parse("2026-11-25T10:15:30.123Z");

    static byte[] pixels() {
        byte[] px = new byte[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        return px;
    }

    static float[] probabilities(int winner) {
        float[] p = new float[10];
        java.util.Arrays.fill(p, 0.02f);
        p[winner] = 0.82f;
        return p;
    }

    static Prediction prediction() {
        return new Prediction("req-1", new ModelRef("lenet", 3), 9, "Ankle boot", probabilities(9),
                Pixels.toBase64(pixels()), NOW, 1.25, true, 9);
    }

    @Test
    void scoreRequestRoundTripsAndDecodesRawPixels() {
        ScoreRequest request = new ScoreRequest("req-1", pixels(), "all", true, NOW, 4);
        byte[] json = Json.write(request);

        ScoreRequest back = Json.read(json, ScoreRequest.class);
        assertThat(back).isEqualTo(request);
        assertThat(back.models()).containsExactly("cnn", "lenet", "xgboost", "forest");
        assertThat(back.pixels(new ImagePreprocessor())).isEqualTo(pixels());
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"submittedAt\":\"2026-11-25T10:15:30.123Z\"");
    }

    @Test
    void predictionRoundTrips() {
        Prediction p = prediction();
        Prediction back = Json.read(Json.write(p), Prediction.class);
        assertThat(back.requestId()).isEqualTo("req-1");
        assertThat(back.model()).isEqualTo(new ModelRef("lenet", 3));
        assertThat(back.probabilities()).containsExactly(p.probabilities());
        assertThat(back.pixels()).isEqualTo(pixels());
        assertThat(back.scoredAt()).isEqualTo(NOW);
        assertThat(back.trueLabel()).isEqualTo(9);
    }

    @Test
    void modelPublishedAndExplanationStoredRoundTrip() {
        ModelPublished published = new ModelPublished("xgboost", 2, ModelPublished.FORMAT_XGBOOST_UBJ, "ab".repeat(32),
                Map.of("testAccuracy", 0.8943), NOW);
        assertThat(Json.read(Json.write(published), ModelPublished.class)).isEqualTo(published);

        ExplanationStored stored = new ExplanationStored("req-1", new ModelRef("cnn", 1), ExplanationStored.KERNEL_SHAP, 42);
        assertThat(Json.read(Json.write(stored), ExplanationStored.class)).isEqualTo(stored);
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        String json = "{\"id\":\"a\",\"image\":\"" + Base64.getEncoder().encodeToString(pixels())
                + "\",\"model\":\"lenet\",\"explain\":false,\"submittedAt\":\"2026-11-25T10:15:30Z\",\"future\":1}";
        assertThat(Json.read(json.getBytes(StandardCharsets.UTF_8), ScoreRequest.class).model()).isEqualTo("lenet");
    }

    @Test
    void invalidMessagesNameTheirProblem() {
        assertThatThrownBy(() -> Json.read("{not json".getBytes(StandardCharsets.UTF_8), ScoreRequest.class))
                .isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).reason()).isEqualTo(InvalidMessageException.Reason.INVALID_JSON));
        assertThatThrownBy(() -> Json.read(new byte[0], ScoreRequest.class))
                .hasMessageContaining("empty record");

        ScoreRequest unknownModel = new ScoreRequest("a", pixels(), "resnet", false, NOW, null);
        assertThatThrownBy(() -> Json.read(Json.write(unknownModel), ScoreRequest.class))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("field 'model': expected one of \"cnn\", \"lenet\", \"xgboost\" or \"all\", got \"resnet\"")
                .satisfies(e -> assertThat(((InvalidMessageException) e).reason()).isEqualTo(InvalidMessageException.Reason.UNKNOWN_MODEL));

        ScoreRequest shortImage = new ScoreRequest("a", new byte[783], "cnn", false, NOW, null);
        assertThatThrownBy(() -> shortImage.pixels(new ImagePreprocessor()))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("got 783 bytes");

        ScoreRequest notBase64 = new ScoreRequest("a", "***", "cnn", false, NOW, null);
        assertThatThrownBy(() -> notBase64.pixels(new ImagePreprocessor()))
                .hasMessageContaining("not valid base64");

        ScoreRequest badLabel = new ScoreRequest("a", pixels(), "cnn", false, NOW, 10);
        assertThatThrownBy(badLabel::validate).hasMessage("field 'trueLabel': expected an integer 0..9, got 10");
    }

    @Test
    void predictionsWithBrokenProbabilitiesOrPixelsAreRejected() {
        Prediction p = prediction();
        Prediction nineProbs = new Prediction(p.requestId(), p.model(), 9, "Ankle boot", new float[9], p.image(), NOW, 1, false, null);
        assertThatThrownBy(nineProbs::validate).hasMessageContaining("got 9 values");

        float[] nan = probabilities(9);
        nan[0] = Float.NaN;
        Prediction withNan = new Prediction(p.requestId(), p.model(), 9, "Ankle boot", nan, p.image(), NOW, 1, false, null);
        assertThatThrownBy(withNan::validate).hasMessageContaining("got NaN at index 0");

        float[] notNormalised = probabilities(9);
        notNormalised[0] = 0.5f;
        Prediction badSum = new Prediction(p.requestId(), p.model(), 9, "Ankle boot", notNormalised, p.image(), NOW, 1, false, null);
        assertThatThrownBy(badSum::validate).hasMessageContaining("got values that sum to");

        Prediction wrongName = new Prediction(p.requestId(), p.model(), 9, "Bag", p.probabilities(), p.image(), NOW, 1, false, null);
        assertThatThrownBy(wrongName::validate).hasMessage("field 'className': expected \"Ankle boot\" (the class of label 9) or nothing, got \"Bag\"");

        Prediction shortImage = new Prediction(p.requestId(), p.model(), 9, "Ankle boot", p.probabilities(),
                Base64.getEncoder().encodeToString(new byte[10]), NOW, 1, false, null);
        assertThatThrownBy(shortImage::validate).hasMessageContaining("784 pixels");

        Prediction badVersion = new Prediction(p.requestId(), new ModelRef("lenet", 0), 9, "Ankle boot", p.probabilities(),
                p.image(), NOW, 1, false, null);
        assertThatThrownBy(badVersion::validate).hasMessage("field 'model.version': expected an integer >= 1, got 0");
    }

    @Test
    void classLabelsMatchThePaper() {
        assertThat(FashionClass.displayNames()).containsExactly("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThatThrownBy(() -> FashionClass.ofLabel(10)).isInstanceOf(IllegalArgumentException.class);
    }
}

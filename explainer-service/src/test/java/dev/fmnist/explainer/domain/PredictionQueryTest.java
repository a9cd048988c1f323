package dev.fmnist.explainer.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Query parameters of GET /api/predictions: optional, validated, with a message naming the parameter. */
class PredictionQueryTest {

    static PredictionQuery parse(String model, String label, String correct, String min, String max, String page,
                                 String size) {
        return PredictionQuery.parse(model, label, correct, min, max, page, size, 20, 100);
    }

    @Test
    void noParametersMeanTheFirstPageOfEverything() {
        PredictionQuery q = parse(null, null, null, null, null, null, null);
        assertThat(q).isEqualTo(new PredictionQuery(null, null, null, null, null, 0, 20));
        assertThat(parse("", " ", "", "", "", "", "")).isEqualTo(q);
    }

    @Test
    void everyFilterIsParsed() {
        PredictionQuery q = parse("xgboost", "9", "FALSE", "0.25", "1", "3", "100");
        assertThat(q).isEqualTo(new PredictionQuery("xgboost", 9, false, 0.25f, 1f, 3, 100));
        assertThat(q.offset()).isEqualTo(300);
        assertThat(parse(null, "0", "true", "0", "0", "0", "1").correct()).isTrue();
    }

    @Test
    void badParametersAreRejectedWithTheirName() {
        assertThatThrownBy(() -> parse("resnet", null, null, null, null, null, null))
                .isInstanceOf(PredictionQuery.InvalidQueryException.class).hasMessageContaining("model must be one of");
        assertBadLabel("10");
        assertBadLabel("-1");
        assertBadLabel("three");
        assertBadLabel("2.5");
        assertThatThrownBy(() -> parse(null, null, "yes", null, null, null, null))
                .hasMessageContaining("correct must be true or false");
        assertThatThrownBy(() -> parse(null, null, null, "1.5", null, null, null)).hasMessageContaining("minConfidence");
        assertThatThrownBy(() -> parse(null, null, null, null, "-0.1", null, null)).hasMessageContaining("maxConfidence");
        assertThatThrownBy(() -> parse(null, null, null, "NaN", null, null, null)).hasMessageContaining("minConfidence");
        assertThatThrownBy(() -> parse(null, null, null, "high", null, null, null)).hasMessageContaining("minConfidence");
        assertThatThrownBy(() -> parse(null, null, null, "0.9", "0.5", null, null))
                .hasMessageContaining("greater than maxConfidence");
        assertThatThrownBy(() -> parse(null, null, null, null, null, "-1", null)).hasMessageContaining("page");
        assertThatThrownBy(() -> parse(null, null, null, null, null, "99999999999", null)).hasMessageContaining("page");
        assertThatThrownBy(() -> parse(null, null, null, null, null, null, "0")).hasMessageContaining("size must be 1..100");
        assertThatThrownBy(() -> parse(null, null, null, null, null, null, "101")).hasMessageContaining("size must be 1..100");
        assertThatThrownBy(() -> parse(null, null, null, null, null, null, "1; DROP TABLE xai.prediction"))
                .isInstanceOf(PredictionQuery.InvalidQueryException.class).hasMessageContaining("size");
    }

    private static void assertBadLabel(String label) {
        assertThatThrownBy(() -> parse(null, label, null, null, null, null, null))
                .isInstanceOf(PredictionQuery.InvalidQueryException.class).hasMessageContaining("label");
    }
}

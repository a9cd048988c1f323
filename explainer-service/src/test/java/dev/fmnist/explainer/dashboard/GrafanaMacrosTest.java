package dev.fmnist.explainer.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrafanaMacrosTest {
    private static final GrafanaMacros.Range RANGE = new GrafanaMacros.Range(Instant.parse("2001-02-03T10:00:00Z"),
            Instant.parse("2001-02-03T11:00:00Z"), Duration.ofSeconds(30));

    @Test
    void expandsTheTimeMacros() {
        String sql = GrafanaMacros.expand("SELECT $__timeGroupAlias(scored_at, $__interval), $__interval_ms, "
                + "$__timeFrom(), $__timeTo() FROM t WHERE $__timeFilter(scored_at) AND x > 0", RANGE, Map.of());
        assertThat(sql).isEqualTo("SELECT to_timestamp(floor(extract(epoch from scored_at) / 30) * 30) AS \"time\", "
                + "30000, '2001-02-03T10:00:00Z', '2001-02-03T11:00:00Z' FROM t "
                + "WHERE scored_at BETWEEN '2001-02-03T10:00:00Z' AND '2001-02-03T11:00:00Z' AND x > 0");
    }

    @Test
    void nestedCallsAndQuotedIntervals() {
        assertThat(GrafanaMacros.expand("$__timeGroup(coalesce(a, b), '5m')", RANGE, Map.of()))
                .isEqualTo("to_timestamp(floor(extract(epoch from coalesce(a, b)) / 300) * 300)");
        assertThat(GrafanaMacros.expand("$__interval", RANGE, Map.of())).isEqualTo("30s");
    }

    @Test
    void replacesVariablesBothSpellings() {
        assertThat(GrafanaMacros.expand("m IN ($model) AND k = ${kind}", RANGE,
                Map.of("model", "'cnn','lenet'", "kind", "'lime'"))).isEqualTo("m IN ('cnn','lenet') AND k = 'lime'");
    }

    @Test
    void reportsWhatItCannotExpand() {
        assertThatThrownBy(() -> GrafanaMacros.expand("WHERE $__unixEpochFilter(t)", RANGE, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown Grafana macro $__unixEpochFilter");
        assertThatThrownBy(() -> GrafanaMacros.expand("WHERE m IN ($modell)", RANGE, Map.of("model", "'x'")))
                .hasMessageContaining("unknown dashboard variable $modell");
        assertThatThrownBy(() -> GrafanaMacros.expand("WHERE $__timeFilter(a, b)", RANGE, Map.of()))
                .hasMessageContaining("takes 1 argument(s), got 2");
        assertThatThrownBy(() -> GrafanaMacros.expand("WHERE $__timeFilter(a", RANGE, Map.of()))
                .hasMessageContaining("unbalanced parentheses");
        assertThatThrownBy(() -> GrafanaMacros.expand("WHERE $__timeFilter", RANGE, Map.of()))
                .hasMessageContaining("needs parentheses");
        assertThatThrownBy(() -> GrafanaMacros.expand("$__timeGroup(t, 'often')", RANGE, Map.of()))
                .hasMessageContaining("not a Grafana interval");
    }
}

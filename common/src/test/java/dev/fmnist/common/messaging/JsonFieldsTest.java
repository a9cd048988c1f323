package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The quick reading of UTC time stamps gives what the ISO parser gives, and leaves every other form to it. */
class JsonFieldsTest {

    private static Instant iso(String t) {
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(t, Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Test
    void aUtcTimeStampIsReadAsTheIsoParserReadsIt() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-60_000_000_000L, 250_000_000_000L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            if (random.nextBoolean()) {
                t = t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            }
            String text = t.toString();
            Instant quick = JsonFields.parseUtc(text);
            if (quick != null) {
                assertThat(quick).as(text).isEqualTo(iso(text)).isEqualTo(t);
            } else {
                assertThat(text.charAt(0)).as("only years beyond 0000-9999 are left to the ISO parser: " + text)
                        .isIn('+', '-');
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T10:00:00Z", "2026-12-03T24:00:00Z", "2026-12-03T23:59:60Z",
            "2026-13-01T00:00:00Z", "2026-12-03T10:00:00.Z", "2026-12-03T10:00:00.1234567891Z", "2026-12-03 10:00:00Z",
            "2026-12-03T10:00:00+01:00", "2026-12-03t10:00:00z", "+12026-12-03T10:00:00Z", "2026-12-03T10:00Z",
            "2026-1a-03T10:00:00Z", "2026-12-03T10:00:00.12a4Z"})
    void anyOtherFormIsLeftToTheIsoParser(String text) {
        assertThat(JsonFields.parseUtc(text)).as(text).isNull();
    }
}

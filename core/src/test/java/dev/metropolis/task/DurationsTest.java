package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    static Stream<Arguments> validForms() {
        return Stream.of(
                Arguments.of("250ms", Duration.ofMillis(250)),
                Arguments.of("5s", Duration.ofSeconds(5)),
                Arguments.of("1.5s", Duration.ofMillis(1500)),
                Arguments.of("2m", Duration.ofMinutes(2)),
                Arguments.of("1h", Duration.ofHours(1)),
                Arguments.of("0.25h", Duration.ofMinutes(15)),
                Arguments.of("0.5ms", Duration.ofNanos(500_000)),
                Arguments.of("007s", Duration.ofSeconds(7)),
                Arguments.of("2562047h", Duration.ofHours(2_562_047))); // just under Long.MAX_VALUE nanoseconds
    }

    @ParameterizedTest
    @MethodSource("validForms")
    void parsesAnAmountAndAUnit(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @Test
    void aFractionBelowOneNanosecondRoundsUpRatherThanToZero() {
        assertThat(Durations.parse("0.0000000001s")).isEqualTo(Duration.ofNanos(1));
        assertThat(Durations.parse("1.0000000001s")).isEqualTo(Duration.ofNanos(1_000_000_001));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "5 s", " 5s", "5s ", "5S", "5sec", "5d", "1e3s", ".5s", "1.s", "1,5s", "5m30s",
        "--5s", "PT5S"})
    void rejectsOtherFormsNamingTheAcceptedOnes(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration such as \"5s\" or \"250ms\", got \"" + text + "\" (units: ms, s, m, h)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "0.0h", "-5s", "-0.5ms"})
    void rejectsZeroAndNegativeDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration longer than zero, got \"" + text + "\"");
    }

    @Test
    void rejectsADurationTooLongForNanoseconds() {
        assertThatThrownBy(() -> Durations.parse("2562048h"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration of at most a few hundred years, got \"2562048h\"");
    }

    @Test
    void messagesQuoteTheValueAsTheCallerShowsIt() {
        assertThatThrownBy(() -> Durations.parse("soon", "timeout = \"soon\" (line 4)"))
                .hasMessageContaining("got timeout = \"soon\" (line 4)");
        assertThatThrownBy(() -> Durations.ofSeconds(BigDecimal.ZERO, "timeout = 0"))
                .hasMessage("expected a duration longer than zero, got timeout = 0");
    }

    @Test
    void ofSecondsAcceptsFractions() {
        assertThat(Durations.ofSeconds(new BigDecimal("2.5"), "2.5")).isEqualTo(Duration.ofMillis(2500));
        assertThat(Durations.ofSeconds(BigDecimal.valueOf(30), "30")).isEqualTo(Duration.ofSeconds(30));
    }

    // ---- format -------------------------------------------------------------------------------------

    static Stream<Arguments> shortestForms() {
        return Stream.of(
                Arguments.of(Duration.ofMillis(250), "250ms"),
                Arguments.of(Duration.ofMillis(1500), "1500ms"),
                Arguments.of(Duration.ofSeconds(5), "5s"),
                Arguments.of(Duration.ofSeconds(90), "90s"),
                Arguments.of(Duration.ofMinutes(2), "2m"),
                Arguments.of(Duration.ofMinutes(90), "90m"),
                Arguments.of(Duration.ofHours(1), "1h"),
                Arguments.of(Duration.ofHours(25), "25h"),
                Arguments.of(Duration.ZERO, "0s"));
    }

    @ParameterizedTest
    @MethodSource("shortestForms")
    void formatPicksTheLargestUnitThatIsExact(Duration duration, String expected) {
        assertThat(Durations.format(duration)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"250ms", "5s", "1.5s", "2m", "1h", "0.25h", "61s"})
    void formatAndParseRoundTrip(String text) {
        Duration duration = Durations.parse(text);

        assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.5ms", "1.5ms", "0.0000000001s"})
    void formatIsExactForSubMillisecondDurations(String text) {
        Duration duration = Durations.parse(text);

        assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    }

    @ParameterizedTest
    @CsvSource({"2, 2000", "1.5, 1500", "' 3 ', 3000", "2s, 2000", "250ms, 250", "0.001, 1"})
    void aTimeoutMayBeADurationOrSeconds(String text, long millis) {
        assertThat(Durations.parseOrSeconds(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "soon", "2 s", ""})
    void anythingElseIsRefusedNamingTheForms(String text) {
        assertThatThrownBy(() -> Durations.parseOrSeconds(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\"");
    }
}

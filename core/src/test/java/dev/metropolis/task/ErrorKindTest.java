package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorKindTest {

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void aLabelIsTheLowerCaseNameAndReadsBack(ErrorKind kind) {
        assertThat(kind.label()).isEqualTo(kind.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(ErrorKind.ofLabel(kind.label())).isEqualTo(kind);
    }

    @Test
    void anUnknownLabelIsNoKind() {
        assertThat(ErrorKind.ofLabel("exploded")).isNull();
    }

    @ParameterizedTest
    @CsvSource({"400, false, true", "404, false, true", "499, false, true", "500, true, true", "504, true, true",
        "599, true, true", "600, true, false", "200, false, false", "399, false, false"})
    void serverErrorsAreTheFiveHundreds(int code, boolean server, boolean error) {
        assertThat(ErrorKind.isServerError(code)).isEqualTo(server);
        assertThat(ErrorKind.isErrorCode(code)).isEqualTo(error);
    }

    @ParameterizedTest
    @CsvSource({"413, TOO_LARGE", "429, BUSY", "503, UNAVAILABLE", "504, TIMED_OUT", "404, REJECTED", "422, REJECTED",
        "500, CRASHED", "502, CRASHED", "200, CRASHED"})
    void aReceivedCodeStandsForAKind(int code, ErrorKind kind) {
        assertThat(ErrorKind.forCode(code)).isEqualTo(kind);
    }
}

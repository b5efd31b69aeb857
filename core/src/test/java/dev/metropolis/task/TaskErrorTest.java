package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskErrorTest {

    @Test
    void ofUsesTheKindsDefaultCode() {
        TaskError error = TaskError.of(ErrorKind.BUSY, "all contexts busy");

        assertThat(error.kind()).isEqualTo(ErrorKind.BUSY);
        assertThat(error.code()).isEqualTo(429);
        assertThat(error).hasMessage("all contexts busy");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 404, 413, 422, 429, 499})
    void rejectedWithA4xxCodeIsRejectedWithThatCode(int code) {
        TaskError error = TaskError.rejected(code, "no such order");

        assertThat(error.kind()).isEqualTo(ErrorKind.REJECTED);
        assertThat(error.code()).isEqualTo(code);
        assertThat(error).hasMessage("no such order");
    }

    @ParameterizedTest
    @CsvSource({"500, CRASHED", "501, CRASHED", "502, CRASHED", "503, UNAVAILABLE", "504, TIMED_OUT", "599, CRASHED"})
    void rejectedWithA5xxCodeKeepsTheCodeAndTakesItsKind(int code, ErrorKind kind) {
        TaskError error = TaskError.rejected(code, "backend down");

        assertThat(error.kind()).isEqualTo(kind);
        assertThat(error.code()).isEqualTo(code);
        assertThat(error).hasMessage("backend down");
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 399, 600, 0, -1})
    void rejectedWithACodeOutside400To599IsACrashThatSaysSo(int code) {
        TaskError error = TaskError.rejected(code, "all good");

        assertThat(error.kind()).isEqualTo(ErrorKind.CRASHED);
        assertThat(error.code()).isEqualTo(500);
        assertThat(error.getMessage()).startsWith("all good").contains("code " + code, "400 to 599");
    }

    @ParameterizedTest
    @CsvSource({
        "400, REJECTED", "404, REJECTED", "499, REJECTED",
        "413, TOO_LARGE", "429, BUSY", "503, UNAVAILABLE", "504, TIMED_OUT",
        "500, CRASHED", "502, CRASHED", "599, CRASHED",
        "200, CRASHED", "399, CRASHED", "600, CRASHED", "0, CRASHED"})
    void forCodeMapsAReceivedCodeToItsKind(int code, ErrorKind kind) {
        assertThat(ErrorKind.forCode(code)).isEqualTo(kind);
    }

    @ParameterizedTest
    @EnumSource(value = ErrorKind.class, names = {"REJECTED", "TOO_LARGE", "BUSY", "CRASHED", "UNAVAILABLE", "TIMED_OUT"})
    void kindsWithTheirOwnCodeSurviveTheRoundTripThroughIt(ErrorKind kind) {
        assertThat(ErrorKind.forCode(kind.defaultCode())).isEqualTo(kind);
    }

    @ParameterizedTest
    @EnumSource(value = ErrorKind.class, names = {"BAD_PAYLOAD", "NO_ROUTE", "METHOD_NOT_ALLOWED"})
    void kindsSharingA4xxCodeReadBackAsRejected(ErrorKind kind) {
        // A receiver sees only the code; these kinds are told apart by the message, not the code.
        assertThat(ErrorKind.forCode(kind.defaultCode())).isEqualTo(ErrorKind.REJECTED);
    }
}

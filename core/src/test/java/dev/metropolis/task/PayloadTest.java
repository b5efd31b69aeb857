package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.metropolis.task.Payload.BodyKind;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadTest {
    private static final byte[] INVALID_UTF8 = {(byte) 0xC3, 0x28}; // a lead byte followed by ASCII

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- no content type ---------------------------------------------------------------------------

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   "})
    void withoutAContentTypeAnEmptyBodyIsTheEmptyString(String contentType) {
        assertThat(Payload.classify(contentType, new byte[0])).isEqualTo(new Payload(BodyKind.TEXT, ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": 1}", "[1, 2]", "42", "-1.5", "\"quoted\"", " \n true ", "false", "null",
        "{not json but starts like it"})
    void withoutAContentTypeTextThatMayBeJsonIsAuto(String text) {
        assertThat(Payload.classify(null, utf8(text))).isEqualTo(new Payload(BodyKind.AUTO, text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "not { json", "line\nbreak", "true story", "nullable", "  ", "+1", "éh"})
    void withoutAContentTypeTextThatCannotBeJsonIsText(String text) {
        assertThat(Payload.classify(null, utf8(text))).isEqualTo(new Payload(BodyKind.TEXT, text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"héllo wörld\"]", "\"日本語\"", "{\"name\": \"Zoë\"}"})
    void withoutAContentTypeUtf8IsAutoWithItsText(String text) {
        assertThat(Payload.classify("", utf8(text))).isEqualTo(new Payload(BodyKind.AUTO, text));
    }

    @ParameterizedTest
    @MethodSource("invalidUtf8")
    void withoutAContentTypeInvalidUtf8IsBytes(byte[] data) {
        assertThat(Payload.classify(null, data)).isEqualTo(new Payload(BodyKind.BYTES, null));
    }

    static Stream<byte[]> invalidUtf8() {
        return Stream.of(
                INVALID_UTF8,
                new byte[] {(byte) 0x80},                          // a lone continuation byte
                new byte[] {(byte) 0xC0, (byte) 0xAF},             // an overlong '/'
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
                new byte[] {'o', 'k', (byte) 0xE2, (byte) 0x82},   // truncated at the end
                new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}); // a PNG signature
    }

    // ---- declared content types --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/problem+json; charset=utf-8", "Application/JSON",
        " application/json ;charset=UTF-8", "application/vnd.api+json"})
    void jsonContentTypesAreJson(String contentType) {
        assertThat(Payload.classify(contentType, utf8("{\"a\": \"ü\"}"))).isEqualTo(new Payload(BodyKind.JSON, "{\"a\": \"ü\"}"));
    }

    @Test
    void declaredJsonIsNotValidatedHere() {
        // Parsing (and its 400) happens in the guest adapter; classification only checks the encoding.
        assertThat(Payload.classify("application/json", utf8("not json"))).isEqualTo(new Payload(BodyKind.JSON, "not json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "text/plain; charset=utf-8", "text/csv", "TEXT/HTML", "application/xml"})
    void textContentTypesAreText(String contentType) {
        assertThat(Payload.classify(contentType, utf8("{\"looks\": \"like json\"}")))
                .isEqualTo(new Payload(BodyKind.TEXT, "{\"looks\": \"like json\"}"));
    }

    @Test
    void formEncodedBodiesAreJsonWhenTheyParseBecauseCurlSendsThatType() {
        assertThat(Payload.classify("application/x-www-form-urlencoded", utf8("{\"a\": 1}")))
                .isEqualTo(new Payload(BodyKind.AUTO, "{\"a\": 1}"));
        assertThat(Payload.classify("application/x-www-form-urlencoded", utf8("a=1&b=2")))
                .isEqualTo(new Payload(BodyKind.TEXT, "a=1&b=2"));
    }

    @Test
    void declaredTextMayBeEmpty() {
        assertThat(Payload.classify("text/plain", new byte[0])).isEqualTo(new Payload(BodyKind.TEXT, ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/octet-stream", "image/png", "application/pdf", "application/jsonish",
        "application/xml-dtd"})
    void otherContentTypesAreBytesEvenWhenTheBytesAreText(String contentType) {
        assertThat(Payload.classify(contentType, utf8("plain valid text"))).isEqualTo(new Payload(BodyKind.BYTES, null));
    }

    @Test
    void bytesContentTypesAcceptInvalidUtf8() {
        assertThat(Payload.classify("application/octet-stream", INVALID_UTF8)).isEqualTo(new Payload(BodyKind.BYTES, null));
    }

    static Stream<Arguments> textualContentTypes() {
        return Stream.of(
                Arguments.of("application/json"),
                Arguments.of("application/problem+json; charset=utf-8"),
                Arguments.of("text/plain; charset=utf-8"),
                Arguments.of("application/xml"),
                Arguments.of("application/x-www-form-urlencoded"));
    }

    @ParameterizedTest
    @MethodSource("textualContentTypes")
    void declaredTextOrJsonThatIsNotUtf8IsABadPayload(String contentType) {
        TaskError error = catchThrowableOfType(TaskError.class, () -> Payload.classify(contentType, INVALID_UTF8));

        assertThat(error.kind()).isEqualTo(ErrorKind.BAD_PAYLOAD);
        assertThat(error.code()).isEqualTo(400);
        assertThat(error.getMessage()).contains("'" + contentType + "'", "UTF-8", "application/octet-stream");
    }
}

package dev.metropolis.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RepliesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- success ------------------------------------------------------------------------------------

    @Test
    void aReplyWithABodyCarriesItsContentType() {
        Headers headers = Replies.headers(TaskReply.text("olleh"));

        assertThat(headers.getFirst("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(headers.keySet()).containsExactly("Content-Type");
    }

    @Test
    void anEmptyReplyHasNoHeaders() {
        assertThat(Replies.headers(TaskReply.empty()).isEmpty()).isTrue();
    }

    // ---- decoding -------------------------------------------------------------------------------------

    private static Message reply(Headers headers, byte[] body) {
        return NatsMessage.builder().subject("_INBOX.test").headers(headers).data(body).build();
    }

    @Test
    void anErrorReplyDecodesToWhatWasEncoded() {
        TaskError sent = TaskError.rejected(422, "order_id is required");

        Replies.ReceivedError received = Replies.error(reply(Replies.errorHeaders(sent),
                Replies.errorBody(sent, "checkout", "orders.checkout"))).orElseThrow();

        assertThat(received.code()).isEqualTo(422);
        assertThat(received.kind()).isEqualTo(ErrorKind.REJECTED);
        assertThat(received.message()).isEqualTo("order_id is required");
    }

    @Test
    void anInvalidInputListsEveryViolationInItsBody() {
        TaskError error = TaskError.invalidInput("the input does not match", java.util.List.of(
                new dev.metropolis.task.Violation("/qty", "minimum", "must have a minimum value of 1"),
                new dev.metropolis.task.Violation("", "required", "required property 'item' not found")));

        assertThat(new String(Replies.errorBody(error, "order", "shop.order"), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"the input does not match\",\"code\":422,\"kind\":\"invalid_input\",\"task\":\"order\","
                        + "\"subject\":\"shop.order\",\"violations\":[{\"pointer\":\"/qty\",\"rule\":\"minimum\","
                        + "\"message\":\"must have a minimum value of 1\"},{\"pointer\":\"\",\"rule\":\"required\","
                        + "\"message\":\"required property 'item' not found\"}]}");
        assertThat(Replies.errorHeaders(error).getFirst("Nats-Service-Error-Code")).isEqualTo("422");
        assertThat(new String(Replies.errorBody(TaskError.of(ErrorKind.CRASHED, "x"), null, null),
                java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("violations");
    }

    @Test
    void aSuccessfulReplyHasNoErrorAndStatus200() {
        Message success = reply(Replies.headers(TaskReply.text("ok")), "ok".getBytes(StandardCharsets.UTF_8));

        assertThat(Replies.error(success)).isEmpty();
        assertThat(Replies.status(success)).isEqualTo(200);
        assertThat(Replies.status(reply(null, new byte[0]))).isEqualTo(200);
    }

    @ParameterizedTest
    @CsvSource({"504, 504", "429, 429", "' 503 ', 503", "200, 502", "600, 502", "soon, 502", "'', 502"})
    void anErrorCodeThatIsNoErrorCodeIsABadGateway(String header, int status) {
        Message error = reply(new Headers().put("Nats-Service-Error-Code", header), new byte[0]);

        assertThat(Replies.status(error)).isEqualTo(status);
        assertThat(Replies.error(error).orElseThrow().message()).isEmpty();
    }

    // ---- error headers ------------------------------------------------------------------------------

    @Test
    void errorHeadersFollowTheMicroServiceConvention() {
        Headers headers = Replies.errorHeaders(TaskError.of(ErrorKind.TIMED_OUT, "task 'reverse' timed out after 5s"));

        assertThat(headers.getFirst("Nats-Service-Error")).isEqualTo("task 'reverse' timed out after 5s");
        assertThat(headers.getFirst("Nats-Service-Error-Code")).isEqualTo("504");
        assertThat(headers.getFirst("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void aTaskChosenCodeIsTheHeaderCode() {
        Headers headers = Replies.errorHeaders(TaskError.rejected(404, "no order 17"));

        assertThat(headers.getFirst("Nats-Service-Error-Code")).isEqualTo("404");
    }

    static Stream<Arguments> unsafeMessages() {
        return Stream.of(
                Arguments.of("Traceback (most recent call last):\n  File \"x.py\"\r\n\tValueError: bad",
                        "Traceback (most recent call last):   File \"x.py\" ValueError: bad"),
                Arguments.of("line one\n\n\nline two", "line one line two"),
                Arguments.of("café ☕", "caf? ?"),
                Arguments.of("emoji 🎉 here", "emoji ? here"), // one code point, one ?
                Arguments.of("bell\u0007 and del\u007f", "bell? and del?"));
    }

    @ParameterizedTest
    @MethodSource("unsafeMessages")
    void theHeaderMessageIsOneLineOfPrintableAscii(String message, String expected) {
        Headers headers = Replies.errorHeaders(TaskError.of(ErrorKind.CRASHED, message));

        assertThat(headers.getFirst("Nats-Service-Error")).isEqualTo(expected);
    }

    @Test
    void aMessageOf512CharactersIsKeptWhole() {
        String message = "x".repeat(512);

        assertThat(Replies.errorHeaders(TaskError.of(ErrorKind.CRASHED, message)).getFirst("Nats-Service-Error"))
                .isEqualTo(message);
    }

    @Test
    void aLongMessageIsTruncatedTo512CharactersInTheHeaderButWholeInTheBody() throws IOException {
        String message = "a".repeat(400) + "\n" + "b".repeat(600);
        TaskError error = TaskError.of(ErrorKind.CRASHED, message);

        String header = Replies.errorHeaders(error).getFirst("Nats-Service-Error");
        JsonNode body = JSON.readTree(Replies.errorBody(error, "reverse", "text.reverse"));

        assertThat(header).hasSize(512).startsWith("a".repeat(400) + " b").endsWith("b...");
        assertThat(body.get("error").asText()).isEqualTo(message);
    }

    // ---- error body ---------------------------------------------------------------------------------

    @Test
    void theErrorBodyHasEveryField() throws IOException {
        TaskError error = TaskError.of(ErrorKind.TIMED_OUT, "task 'reverse' timed out after 5s");

        Map<String, Object> body = JSON.readValue(Replies.errorBody(error, "reverse", "text.reverse"),
                JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));

        assertThat(body).containsExactly(
                Map.entry("error", "task 'reverse' timed out after 5s"),
                Map.entry("code", 504),
                Map.entry("kind", "timed_out"),
                Map.entry("task", "reverse"),
                Map.entry("subject", "text.reverse"));
    }

    @Test
    void theErrorBodyKeepsAMultiLineNonAsciiMessageAsIs() throws IOException {
        String message = "ValueError: «ungültig»\n  at line 3 🎉";
        TaskError error = TaskError.rejected(422, message);

        JsonNode body = JSON.readTree(Replies.errorBody(error, "orders", "orders.create"));

        assertThat(body.get("error").asText()).isEqualTo(message);
        assertThat(body.get("code").asInt()).isEqualTo(422);
        assertThat(body.get("kind").asText()).isEqualTo("rejected");
        assertThat(body.get("subject").asText()).isEqualTo("orders.create");
    }

    @Test
    void theErrorBodyLeavesOutAnUnknownTaskAndSubject() throws IOException {
        JsonNode body = JSON.readTree(Replies.errorBody(TaskError.of(ErrorKind.UNAVAILABLE, "no responders"), null, null));

        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("error", "code", "kind");
        assertThat(body.get("kind").asText()).isEqualTo("unavailable");
    }

    // ---- service and endpoint names -----------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "orders.*,     orders__",
        "a.>,          a__",
        "text.reverse, text_reverse",
        "'my task',    my_task",
        "my-task_2,    my-task_2",
        "'',           task"})
    void serviceNamesKeepOnlyLettersDigitsDashAndUnderscore(String taskName, String expected) {
        assertThat(MicroService.serviceName(taskName)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "orders.*,     orders_any",
        "a.>,          a_all",
        "text.reverse, text_reverse",
        "'my task',    my_task",
        "*.events.>,   any_events_all"})
    void endpointNamesSpellWildcardsAsWords(String subject, String expected) {
        assertThat(MicroService.endpointName(subject)).isEqualTo(expected);
    }
}

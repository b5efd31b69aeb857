package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.DirectHandler;
import io.helidon.http.DirectHandler.EventType;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DirectErrors: each status Helidon picks becomes the documented JSON error, status unchanged. */
class DirectErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DirectHandler.TransportResponse answer(EventType type, Status status) {
        return DirectErrors.handlers(1024, 8).handler(type).handle(DirectHandler.TransportRequest.empty(), type, status,
                ServerResponseHeaders.create(), "Helidon's own text");
    }

    @ParameterizedTest
    @CsvSource({
        "BAD_REQUEST, 400, bad_payload",
        "BAD_REQUEST, 413, too_large",
        "PAYLOAD_TOO_LARGE, 413, too_large",
        "BAD_REQUEST, 414, too_large",
        "BAD_REQUEST, 431, too_large",
        "OTHER, 503, unavailable",
        "INTERNAL_ERROR, 500, crashed",
        "FORBIDDEN, 403, rejected",
        "OTHER, 404, no_route",
        "OTHER, 405, method_not_allowed",
        "BAD_REQUEST, 501, crashed",
        "HTTP_VERSION_NOT_SUPPORTED, 505, crashed",
    })
    void everyStatusKeepsItsCodeAndGetsItsKind(EventType type, int code, String kind) throws Exception {
        DirectHandler.TransportResponse response = answer(type, Status.create(code));
        assertThat(response.status().code()).isEqualTo(code);
        assertThat(response.headers().first(HeaderNames.CONTENT_TYPE)).hasValue("application/json");
        JsonNode body = JSON.readTree(new String(response.entity().orElseThrow(), StandardCharsets.UTF_8));
        assertThat(body.get("code").asInt()).isEqualTo(code);
        assertThat(body.get("kind").asText()).isEqualTo(kind);
        assertThat(body.get("error").asText()).isNotBlank().doesNotContain("Helidon's own text");
    }

    @Test
    void onlyABusyRefusalSaysWhenToRetry() {
        assertThat(answer(EventType.OTHER, Status.SERVICE_UNAVAILABLE_503).headers().first(HeaderNames.RETRY_AFTER))
                .hasValue("1");
        assertThat(answer(EventType.BAD_REQUEST, Status.BAD_REQUEST_400).headers().contains(HeaderNames.RETRY_AFTER))
                .isFalse();
    }

    @Test
    void theMessagesNameTheLimits() throws Exception {
        assertThat(new String(answer(EventType.BAD_REQUEST, Status.REQUEST_ENTITY_TOO_LARGE_413).entity().orElseThrow(),
                StandardCharsets.UTF_8)).contains("limit of 1024 bytes");
        assertThat(new String(answer(EventType.OTHER, Status.SERVICE_UNAVAILABLE_503).entity().orElseThrow(),
                StandardCharsets.UTF_8)).contains("8 requests");
    }
}

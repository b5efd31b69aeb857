package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import io.helidon.webserver.WebServer;
import io.nats.client.Message;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What Helidon answers by itself, before or around the gateway's routing, over real sockets: the
 * status stays Helidon's, the body is the gateway's JSON error. Behind the gateway is a task
 * announced by plain jnats (no host), so a test can hold a request in flight for as long as it needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class GatewayRefusalsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 1024;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestNats nats;
    private FakeTask hold;
    private Gateway gateway;

    @BeforeAll
    void start() throws Exception {
        nats = TestNats.start();
        hold = FakeTask.start(nats, "hold", "hold.on", Duration.ofSeconds(20));
        // One request in flight at most: a second one is Helidon's 503.
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, nats.settings(), MAX_BODY, 1, Duration.ofSeconds(60),
                Duration.ofSeconds(1))).start();
        Await.until(Duration.ofSeconds(15), "the gateway to discover the hold task", () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().stream().anyMatch(route -> route.task().equals("hold"));
        });
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(gateway, hold, nats);
    }

    /** Asserts the documented error body: the status as code, the kind, a message; no task or subject. */
    private static void assertError(int status, String contentType, String body, int expectedStatus, String kind)
            throws Exception {
        assertThat(status).as(body).isEqualTo(expectedStatus);
        assertThat(contentType).isEqualTo("application/json");
        JsonNode error = JSON.readTree(body);
        assertThat(error.get("code").asInt()).isEqualTo(expectedStatus);
        assertThat(error.get("kind").asText()).isEqualTo(kind);
        assertThat(error.get("error").asText()).isNotBlank();
        assertThat(error.has("task")).isFalse();
        assertThat(error.has("subject")).isFalse();
    }

    private static void assertError(RawHttp.Response response, int expectedStatus, String kind) throws Exception {
        assertError(response.status(), response.header("Content-Type"), response.body(), expectedStatus, kind);
    }

    /**
     * A raw request once the gateway takes it. With --max-in-flight 1 the previous test's request may
     * still be counted for a moment after its answer was read, which would make this one a 503.
     */
    private RawHttp.Response exchange(String request) {
        return Await.value(Duration.ofSeconds(10), "the gateway to take a request", () -> RawHttp.exchange(gateway.port(),
                request), answer -> answer.status() != 503);
    }

    @Test
    void aClientThatDropsItsHalfSentBodyIsCountedNotLoggedAsAnError() throws Exception {
        java.util.List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                // The flood was a WARNING with a stack trace per connection (Helidon's "Internal server error").
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue() && record.getThrown() != null) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        try {
            double before = disconnects();
            for (int i = 0; i < 3; i++) {
                try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), gateway.port())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(("POST /hold/on HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.shutdownOutput(); // the body ends 97 bytes early: what a client that goes away leaves
                    String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(answer).startsWith("HTTP/1.1 400").contains("\"kind\":\"bad_payload\"")
                            .contains("the request body ended before its Content-Length");
                }
            }

            assertThat(disconnects()).isEqualTo(before + 3);
            assertThat(warnings).as("warnings logged for dropped clients").isEmpty();
        } finally {
            java.util.logging.Logger.getLogger("").removeHandler(capture);
        }
    }

    private double disconnects() throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/observe/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("metropolis_gateway_client_disconnects_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aDeclaredBodyOverTheLimitIsA413() throws Exception {
        // Refused by its Content-Length, before the body is read: the body never has to come.
        RawHttp.Response response = exchange("POST /hold/on HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n");
        assertError(response, 413, "too_large");
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("limit of 1024 bytes");
    }

    @Test
    void aChunkedBodyOverTheLimitIsA413() throws Exception {
        // Without a length the limit is found while the gateway reads the body, inside its routing.
        String chunk = "x".repeat(MAX_BODY + 1);
        RawHttp.Response response = exchange("POST /hold/on HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n");
        assertError(response, 413, "too_large");
    }

    @Test
    void moreRequestsThanMaxInFlightIsA503WithRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<String>> held = http.sendAsync(HttpRequest.newBuilder(uri("/hold/on"))
                .POST(HttpRequest.BodyPublishers.ofString("wait")).build(), HttpResponse.BodyHandlers.ofString());
        // The task has the message: the one request allowed is in flight until it is answered.
        Message inFlight = hold.next(Duration.ofSeconds(10));
        try {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri("/tasks")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertError(refused.statusCode(), refused.headers().firstValue("Content-Type").orElse(null), refused.body(),
                    503, "unavailable");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        } finally {
            hold.reply(inFlight, "done");
        }
        HttpResponse<String> answered = held.get(10, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).isEqualTo("done");
    }

    @Test
    void aMalformedHeaderIsA400() throws Exception {
        RawHttp.Response response = exchange(
                "GET /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: a space in its name\r\n\r\n");
        assertError(response, 400, "bad_payload");
    }

    @Test
    void aMalformedRequestLineIsA400() throws Exception {
        RawHttp.Response response = exchange("GET\r\nHost: 127.0.0.1\r\n\r\n");
        assertError(response, 400, "bad_payload");
    }

    @Test
    void aRequestLineTooLongIsA414() throws Exception {
        RawHttp.Response response = exchange("GET /hold/" + "a".repeat(20_000)
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertError(response, 414, "too_large");
    }

    @Test
    void anObservePathNothingServesIsA404() throws Exception {
        // The proxy leaves /observe/ to Helidon's observe endpoints; Helidon answers the rest itself.
        RawHttp.Response response = exchange("GET /observe/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n");
        assertError(response, 404, "no_route");
    }

    @Test
    void traceAndConnectNeverReachATaskAndAre405WithAllow() throws Exception {
        for (String method : new String[] {"TRACE", "CONNECT"}) {
            RawHttp.Response response = exchange(method + " /hold/on HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n\r\n");
            assertError(response, 405, "method_not_allowed");
            assertThat(response.header("Allow")).isEqualTo("GET, POST, PUT, PATCH, DELETE");
        }
    }

    @Test
    void aPercentEncodedNonAsciiPathIsA400SayingWhy() throws Exception {
        RawHttp.Response response = exchange("GET /hold/%C3%A9t%C3%A9 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n");
        assertError(response, 400, "bad_payload");
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("non-ASCII U+00E9").contains("NATS subject");
    }

    @Test
    void aPercentEncodedSpaceInThePathIsA400() throws Exception {
        RawHttp.Response response = exchange("GET /hold/a%20b HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n");
        assertError(response, 400, "bad_payload");
    }

    @Test
    void aPathTooLongForASubjectIsA414NotA500() throws Exception {
        RawHttp.Response response = exchange("GET /hold/" + "a".repeat(3000) + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertError(response, 414, "too_large");
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("at most 1024");
    }

    @Test
    void anExceptionNoHandlerCaughtIsA500() throws Exception {
        // The gateway's own handlers catch what they expect; this is Helidon's answer to the rest.
        WebServer failing = WebServer.builder().host("127.0.0.1").port(0)
                .directHandlers(DirectErrors.handlers(MAX_BODY, 8))
                .routing(routing -> routing.get("/fail", (request, response) -> {
                    throw new IllegalStateException("a bug");
                }))
                .build().start();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + failing.port()
                    + "/fail")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertError(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body(),
                    500, "crashed");
            assertThat(response.body()).as("the exception stays in the log").doesNotContain("a bug");
        } finally {
            failing.stop();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }
}

package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.MicroService;
import dev.metropolis.task.HostEvent;
import dev.metropolis.task.TaskMetadata;
import io.nats.client.Connection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The console's files, stats and event stream over real sockets, on a real nats-server. */
@Timeout(60)
class ConsoleEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Open {
        private EdgeFixture edge;
        private Connection hosts;
        private final List<MicroService> services = new ArrayList<>();

        @BeforeAll
        void start() throws Exception {
            edge = EdgeFixture.withTasks(Map.of("plain", "")).start(new EdgeConfig(null, null, null, null, null), Map.of());
            hosts = edge.nats.connect();
        }

        @AfterAll
        void stop() throws Exception {
            services.forEach(service -> service.stop(false, Duration.ofSeconds(1)));
            hosts.close();
            edge.close();
        }

        /** The same task on two hosts, each endpoint with calls recorded as a host records them. */
        private MicroService.Endpoint announce(String host) {
            MicroService.Endpoint endpoint = new MicroService.Endpoint("orders_place", "orders.place", "workers", Map.of(),
                    (message, self) -> {});
            MicroService service = new MicroService(hosts, "place", "2.0.0", "places orders", Map.of(TaskMetadata.TASK, "place",
                    TaskMetadata.LANGUAGE, "python", TaskMetadata.SUBJECTS, "orders.place", TaskMetadata.HOST, host),
                    List.of(endpoint));
            service.start();
            services.add(service);
            return endpoint;
        }

        @Test
        void statsAddUpOverHostsWithTheirNamesAndLastErrors() throws Exception {
            MicroService.Endpoint first = announce("host-a");
            MicroService.Endpoint second = announce("host-b");
            for (int i = 0; i < 98; i++) {
                (i % 2 == 0 ? first : second).record(3_000_000, null, "ok-" + i);
            }
            first.record(700_000_000, "500 crashed: boom", "req-a");
            second.record(4_000_000, "422 qty must be positive", "req-b");
            hosts.flush(Duration.ofSeconds(5));

            HttpResponse<String> response = edge.send(edge.request(Gateway.CONSOLE_STATS));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode place = JSON.readTree(response.body()).path("tasks").path("place");
            assertThat(place.path("hosts").toString()).isEqualTo("[\"host-a\",\"host-b\"]");
            assertThat(place.path("instances").asInt()).isEqualTo(2);
            assertThat(place.path("requests").asLong()).isEqualTo(100);
            assertThat(place.path("errors").asLong()).isEqualTo(2);
            assertThat(place.path("error_rate").asDouble()).isEqualTo(0.02);
            assertThat(place.path("p50_ms").asDouble()).isBetween(2.5, 5.0);
            assertThat(place.path("p99_ms").asDouble()).isBetween(5.0, 1000.0);
            assertThat(place.path("last_errors").findValuesAsText("request_id")).containsExactlyInAnyOrder("req-a", "req-b");
        }

        @Test
        void hostEventsStreamAsServerSentEventsAndAPageOpenedLaterStartsWithTheRecentOnes() throws Exception {
            HostEvent served = new HostEvent(HostEvent.Type.SERVED, "host-a", "echo.js", "echo", 0, "events.echo",
                    "2026-12-02T10:00:00Z");
            HostEvent failed = new HostEvent(HostEvent.Type.LOAD_ERROR, "host-b", "bad.py", null, 3,
                    "bad.py:3: key 'subjec': unknown key", "2026-12-02T10:00:01Z");
            List<String> live;
            try (BufferedReader lines = openEvents()) {
                hosts.publish(HostEvent.subject("host-a"), served.toJson());
                hosts.publish(HostEvent.subject("host-b"), "not an event".getBytes(StandardCharsets.UTF_8));
                hosts.publish(HostEvent.subject("host-b"), failed.toJson());
                live = new ArrayList<>(block(lines));
                live.addAll(block(lines));
            }
            List<String> later;
            try (BufferedReader lines = openEvents()) {
                later = new ArrayList<>(block(lines));
                later.addAll(block(lines));
            }

            assertThat(live).contains("event:served", "event:load_error");
            assertThat(String.join("\n", live)).contains("\"file\":\"echo.js\"", "\"line\":3", "unknown key");
            assertThat(live.stream().filter(line -> line.startsWith("id:")).toList()).hasSize(2);
            assertThat(later).containsSubsequence("event:served", "event:load_error");
        }

        private BufferedReader openEvents() throws Exception {
            HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(edge.request(Gateway.CONSOLE_EVENTS)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                    .startsWith("text/event-stream"));
            return new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        }

        /** Reads up to the next event (skipping comments), as its lines with "field:value". */
        private static List<String> block(BufferedReader lines) throws Exception {
            List<String> block = new ArrayList<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (block.stream().anyMatch(field -> field.startsWith("data:"))) {
                        return block.stream().map(field -> field.replaceFirst("^(\\w+): ", "$1:")).toList();
                    }
                    block.clear();
                    continue;
                }
                block.add(line);
            }
            throw new AssertionError("the stream ended; read " + block);
        }

        @Test
        void thePageIsServedWithAPolicyThatRunsOnlyItsOwnScripts() throws Exception {
            HttpResponse<String> redirect = edge.send(edge.request("/console"));
            HttpResponse<String> page = edge.send(edge.request("/console/"));
            HttpResponse<String> module = edge.send(edge.request("/console/main.js"));

            assertThat(redirect.statusCode()).isEqualTo(301);
            assertThat(redirect.headers().firstValue("Location")).hasValue("/console/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<script type=\"module\" src=\"main.js\">");
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
                    assertThat(policy).contains("script-src 'self'").doesNotContain("unsafe-inline"));
            assertThat(module.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
            assertThat(edge.send(edge.request("/console/nothing.js")).statusCode()).isEqualTo(404);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithAuth {
        private static final String KEY = "mtr_console_0123456789abcdef0123456789ab";
        private EdgeFixture edge;

        @BeforeAll
        void start() throws Exception {
            String hash = HexFormat.of().formatHex(ApiKeys.sha256(KEY));
            edge = EdgeFixture.withTasks(Map.of("plain", "")).start(new EdgeConfig(EdgeFixture.authFile(
                    "{\"default\": \"required\", \"api_keys\": [{\"name\": \"ops\", \"sha256\": \"" + hash + "\", \"scopes\": []}]}"),
                    null, null, null, null), Map.of());
        }

        @AfterAll
        void stop() throws Exception {
            edge.close();
        }

        @Test
        void thePageIsOpenButWhatItShowsNeedsWhatTheTaskListNeeds() throws Exception {
            assertThat(edge.send(edge.request("/console/")).statusCode()).isEqualTo(200);
            assertThat(edge.send(edge.request(Gateway.CONSOLE_STATS)).statusCode()).isEqualTo(401);
            assertThat(edge.send(edge.request(Gateway.CONSOLE_EVENTS)).statusCode()).isEqualTo(401);
            assertThat(edge.send(edge.request(Gateway.CONSOLE_STATS).header("X-API-Key", KEY)).statusCode()).isEqualTo(200);
        }
    }
}

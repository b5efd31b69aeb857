package dev.metropolis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.command.CommandLine;
import dev.metropolis.command.LogOptions;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.gateway.GatewayCommand;
import dev.metropolis.host.HostCommand;
import dev.metropolis.logging.Logging;
import dev.metropolis.gateway.Gateway;
import dev.metropolis.gateway.GatewayConfig;
import dev.metropolis.observe.ObserveAddress;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.FreePort;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.service.Discovery;
import io.nats.service.EndpointStats;
import io.nats.service.StatsResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * After known traffic through the gateway: exact Prometheus counts on the host and the gateway,
 * output promtool accepts, JSON log lines carrying the request's trace id, and $SRV.STATS
 * numbers that agree with the counters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private LocalNatsServer server;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private int hostMetricsPort;
    private Connection nats;
    private List<HttpResponse<String>> okResponses;

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        try (InputStream in = ObservabilityTest.class.getResourceAsStream("/scripts/obs.js")) {
            Files.copy(in, scripts.resolve("obs.js"));
        }
        Logging.install(Level.INFO, Logging.Format.JSON, new PrintStream(logs, true, StandardCharsets.UTF_8));
        int port = FreePort.next();
        server = LocalNatsServer.start(port, System.getenv());
        NatsSettings settings = NatsSettings.of("nats://127.0.0.1:" + port);
        engines = new Engines();
        hostMetricsPort = FreePort.next();
        host = Host.builder(new HostConfig(scripts, settings, Duration.ofSeconds(2), false,
                new ObserveAddress("127.0.0.1", hostMetricsPort)), engines).start();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, settings, 1 << 20, 64, Duration.ofSeconds(1),
                Duration.ofSeconds(2))).start();
        nats = Nats.connect("nats://127.0.0.1:" + port);
        Await.until(Duration.ofSeconds(15), "the gateway to discover obs.js", () -> {
            gateway.refreshRoutes();
            return !gateway.routes().routes().isEmpty();
        });
        okResponses = send("/obs/ok", 3);
        send("/obs/refuse", 2);
        send("/obs/crash", 1);
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(nats, gateway, host, engines, server);
    }

    private List<HttpResponse<String>> send(String path, int times) throws Exception {
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            responses.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                    .header("traceparent", TRACEPARENT).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return responses;
    }

    @Test
    void theHostIsLiveWhileItsWatchdogRuns() throws Exception {
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + hostMetricsPort + "/observe/health/live")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(live.statusCode()).isEqualTo(200);
        JsonNode watchdog = new ObjectMapper().readTree(live.body()).get("checks").get(0);
        assertThat(watchdog.get("name").asText()).isEqualTo("watchdog");
        assertThat(watchdog.get("status").asText()).isEqualTo("UP");
    }

    private String scrape(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the one sample of {@code metric} whose labels include all of {@code labels}. */
    private static double sample(String scrape, String metric, String... labels) {
        List<Double> values = new ArrayList<>();
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)} (\\S+)$").matcher(scrape);
        while (line.find()) {
            boolean all = true;
            for (String label : labels) {
                all &= line.group(1).contains(label);
            }
            if (all) {
                values.add(Double.parseDouble(line.group(2)));
            }
        }
        assertThat(values).as("samples of %s with %s", metric, List.of(labels)).hasSize(1);
        return values.getFirst();
    }

    @Test
    void hostCountsEveryOutcomeExactly() throws Exception {
        String metrics = scrape(hostMetricsPort);
        assertThat(sample(metrics, "metropolis_task_invocations_total", "task=\"obs\"", "outcome=\"ok\"")).isEqualTo(3);
        assertThat(sample(metrics, "metropolis_task_invocations_total", "task=\"obs\"", "outcome=\"rejected\"")).isEqualTo(2);
        assertThat(sample(metrics, "metropolis_task_invocations_total", "task=\"obs\"", "outcome=\"crashed\"")).isEqualTo(1);
        assertThat(sample(metrics, "metropolis_task_duration_seconds_count", "task=\"obs\"", "outcome=\"ok\"")).isEqualTo(3);
        assertThat(sample(metrics, "metropolis_task_duration_seconds_bucket", "task=\"obs\"", "outcome=\"ok\"",
                "le=\"+Inf\"")).isEqualTo(3);
        assertThat(sample(metrics, "metropolis_task_in_flight", "task=\"obs\"")).isZero();
        assertThat(sample(metrics, "metropolis_pool_contexts", "task=\"obs\"", "state=\"live\"")).isPositive();
        assertThat(sample(metrics, "metropolis_pool_context_creation_seconds_count", "task=\"obs\"")).isPositive();
        assertThat(metrics).contains("jvm_memory_used_bytes");
    }

    @Test
    void gatewayCountsRequestsByRouteAndStatus() throws Exception {
        String metrics = scrape(gateway.port());
        assertThat(sample(metrics, "metropolis_gateway_requests_total", "route=\"* /obs/ok\"", "status=\"200\"")).isEqualTo(3);
        assertThat(sample(metrics, "metropolis_gateway_requests_total", "route=\"* /obs/refuse\"", "status=\"400\""))
                .isEqualTo(2);
        assertThat(sample(metrics, "metropolis_gateway_requests_total", "route=\"* /obs/crash\"", "status=\"500\""))
                .isEqualTo(1);
        assertThat(sample(metrics, "metropolis_gateway_request_duration_seconds_count", "route=\"* /obs/ok\"",
                "method=\"POST\"")).isEqualTo(3);
    }

    @Test
    void bothEndpointsPassPromtool() throws Exception {
        for (int port : new int[] {hostMetricsPort, gateway.port()}) {
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            promtool.getOutputStream().write(scrape(port).getBytes(StandardCharsets.UTF_8));
            promtool.getOutputStream().close();
            String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(promtool.exitValue()).as("promtool says: %s", output).isZero();
        }
    }

    @Test
    void jsonLogLinesCarryTheTraceIdOfTheirRequest() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logs.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line)); // every line is one JSON object
            }
        }
        JsonNode scriptLog = lines.stream().filter(line -> line.get("message").asText().equals("obs handled obs.ok"))
                .findFirst().orElseThrow();
        assertThat(scriptLog.get("task").asText()).isEqualTo("obs");
        assertThat(scriptLog.get("subject").asText()).isEqualTo("obs.ok");
        assertThat(scriptLog.get("trace_id").asText()).isEqualTo(TRACE_ID);
        assertThat(scriptLog.get("request_id").asText()).isNotBlank();
        assertThat(scriptLog.get("level").asText()).isEqualTo("INFO");

        JsonNode printed = lines.stream().filter(line -> line.get("message").asText().equals("printed by obs"))
                .findFirst().orElseThrow();
        assertThat(printed.get("trace_id").asText()).isEqualTo(TRACE_ID);

        JsonNode crash = lines.stream().filter(line -> line.get("message").asText().contains("crashed on purpose"))
                .findFirst().orElseThrow();
        assertThat(crash.get("level").asText()).isEqualTo("WARNING");
        assertThat(crash.get("trace_id").asText()).isEqualTo(TRACE_ID);
    }

    @Test
    void theTraceContextComesBackOnTheResponse() throws Exception {
        HttpResponse<String> response = okResponses.getFirst();
        assertThat(response.headers().firstValue("traceparent")).hasValue(TRACEPARENT);
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void serviceStatsAgreeWithTheCounters() throws Exception {
        StatsResponse stats = new Discovery(nats, 1000, 10).stats("obs").getFirst();
        long requests = 0;
        long errors = 0;
        for (EndpointStats endpoint : stats.getEndpointStatsList()) {
            requests += endpoint.getNumRequests();
            errors += endpoint.getNumErrors();
            if (endpoint.getSubject().equals("obs.crash")) {
                assertThat(endpoint.getLastError()).contains("500").contains("crashed on purpose");
            }
            if (endpoint.getNumRequests() > 0) {
                assertThat(endpoint.getProcessingTime()).isPositive();
            }
        }
        String metrics = scrape(hostMetricsPort);
        double counted = 0;
        for (String outcome : List.of("ok", "rejected", "crashed")) {
            counted += sample(metrics, "metropolis_task_invocations_total", "task=\"obs\"", "outcome=\"" + outcome + "\"");
        }
        assertThat(requests).isEqualTo((long) counted);
        assertThat(errors).isEqualTo(3);
    }
}

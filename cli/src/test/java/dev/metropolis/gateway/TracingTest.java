package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.logging.LogContext;
import dev.metropolis.metrics.Registries;
import dev.metropolis.serve.TaskMetrics;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.FreePort;
import dev.metropolis.trace.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenTelemetry end to end: a request's trace id is the same in the HTTP response, in what the
 * script sees and in every exported span, and the spans chain gateway SERVER -> NATS CLIENT ->
 * host task. Beside it, a host and gateway with the default tracing (no OTEL_* variables) record
 * nothing and pass the caller's trace context through unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private Tracing tracing;
    private LocalNatsServer server;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private Host defaultHost;
    private Gateway defaultGateway;

    @BeforeAll
    void start(@TempDir Path tracedScripts, @TempDir Path defaultScripts) throws Exception {
        String script;
        try (InputStream in = TracingTest.class.getResourceAsStream("/scripts/traced.js")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(tracedScripts.resolve("traced.js"), script);
        Files.writeString(defaultScripts.resolve("untraced.js"), script.replace("traced.echo", "untraced.echo"));

        int port = FreePort.next();
        server = LocalNatsServer.start(port, System.getenv());
        NatsSettings nats = NatsSettings.of("nats://127.0.0.1:" + port);
        engines = new Engines();
        // Spans are exported as they end, to memory, in W3C trace context like the autoconfigured SDK.
        tracing = Tracing.of(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build());
        host = Host.builder(new HostConfig(tracedScripts, nats, Duration.ofSeconds(2)), engines).tracing(tracing).start();
        gateway = Gateway.builder(gatewayConfig(nats)).tracing(tracing).start();
        // The defaults: tracing from this process's environment, which has no OTEL_* variables.
        defaultHost = Host.builder(new HostConfig(defaultScripts, nats, Duration.ofSeconds(2)), engines).start();
        defaultGateway = Gateway.builder(gatewayConfig(nats)).start();
        awaitRoute(gateway, "traced");
        awaitRoute(defaultGateway, "untraced");
    }

    private static GatewayConfig gatewayConfig(NatsSettings nats) {
        return new GatewayConfig("127.0.0.1", 0, nats, 1 << 20, 64, Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    private static void awaitRoute(Gateway gateway, String task) {
        Await.until(Duration.ofSeconds(20), "the gateway to discover task " + task, () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().stream().anyMatch(route -> route.task().equals(task));
        });
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(defaultGateway, defaultHost, gateway, host, tracing, engines, server);
    }

    private HttpResponse<String> post(Gateway to, String path, String body, String traceparent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + CALLER_SPAN + "-01";
    }

    /** The spans of one trace, once all three have ended (the host's ends after its reply is sent). */
    private List<SpanData> awaitTrace(String traceId) {
        return Await.value(Duration.ofSeconds(10), "the three spans of trace " + traceId,
                () -> exported.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList(),
                trace -> trace.size() >= 3);
    }

    private static SpanData named(List<SpanData> trace, String name) {
        return trace.stream().filter(span -> span.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + trace));
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    @Test
    void oneTraceIdFromHttpThroughTheScriptToEveryExportedSpan() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> response = post(gateway, "/traced/echo", "hello", traceparent(traceId));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String seen = JSON.readTree(response.body()).get("traceparent").asText();
        assertThat(LogContext.traceId(seen)).isEqualTo(traceId);
        assertThat(response.headers().firstValue("traceparent")).hasValue(seen);

        List<SpanData> trace = awaitTrace(traceId);
        assertThat(trace).hasSize(3);
        SpanData server = named(trace, "POST /traced/echo");
        SpanData client = named(trace, "request traced.echo");
        SpanData task = named(trace, "task traced");

        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
        assertThat(server.getParentSpanContext().isRemote()).isTrue();
        assertThat(client.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(task.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(task.getParentSpanId()).isEqualTo(client.getSpanId());
        assertThat(task.getParentSpanContext().isRemote()).as("the host's parent arrives in NATS headers").isTrue();
        // The script sees the context of the host's span: its own work is a child of the task span.
        assertThat(seen).isEqualTo("00-" + traceId + "-" + task.getSpanId() + "-01");

        assertThat(attribute(server, "http.request.method")).isEqualTo("POST");
        assertThat(attribute(server, "http.route")).isEqualTo("/traced/echo");
        assertThat(attribute(server, "url.path")).isEqualTo("/traced/echo");
        assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(attribute(server, "metropolis.request_id")).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(attribute(client, "messaging.system")).isEqualTo("nats");
        assertThat(attribute(client, "messaging.destination.name")).isEqualTo("traced.echo");
        assertThat(attribute(task, "messaging.destination.name")).isEqualTo("traced.echo");
        assertThat(attribute(task, "metropolis.task")).isEqualTo("traced");
        assertThat(attribute(task, "metropolis.language")).isEqualTo("js");
        assertThat(attribute(task, "metropolis.outcome")).isEqualTo("ok");
        assertThat(trace).allSatisfy(span -> assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET));
    }

    @Test
    void aCrashIsAnErrorOnEverySpan() throws Exception {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        HttpResponse<String> response = post(gateway, "/traced/echo", "crash", traceparent(traceId));

        assertThat(response.statusCode()).isEqualTo(500);
        List<SpanData> trace = awaitTrace(traceId);
        assertThat(trace).hasSize(3);
        assertThat(trace).allSatisfy(span -> assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
        SpanData task = named(trace, "task traced");
        assertThat(attribute(task, "metropolis.outcome")).isEqualTo("crashed");
        assertThat(task.getStatus().getDescription()).contains("crashed on purpose");
        assertThat(attribute(named(trace, "request traced.echo"), "error.type")).isEqualTo("crashed");
        assertThat(named(trace, "POST /traced/echo").getAttributes().get(AttributeKey.longKey("http.response.status_code")))
                .isEqualTo(500L);
    }

    @Test
    void withoutATraceparentTheGatewayStartsTheTrace() throws Exception {
        HttpResponse<String> response = post(gateway, "/traced/echo", "hello", null);

        assertThat(response.statusCode()).isEqualTo(200);
        String traceId = LogContext.traceId(response.headers().firstValue("traceparent").orElseThrow());
        assertThat(LogContext.traceId(JSON.readTree(response.body()).get("traceparent").asText())).isEqualTo(traceId);
        List<SpanData> trace = awaitTrace(traceId);
        assertThat(trace).hasSize(3);
        assertThat(named(trace, "POST /traced/echo").getParentSpanContext().isValid()).isFalse();
    }

    @Test
    void withTheDefaultTracingNothingIsRecordedAndRequestsStillWork() throws Exception {
        assumeTrue(System.getenv().keySet().stream().noneMatch(name -> name.startsWith("OTEL_")), "no OTEL_* variables set");
        assertThat(Tracing.fromEnvironment(System.getenv(), "metropolis-test").enabled()).isFalse();
        String traceId = "5b8aa5a2d2c872e8321cf37308d69df2";
        String sent = traceparent(traceId);

        HttpResponse<String> response = post(defaultGateway, "/untraced/echo", "hello", sent);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        // No span anywhere on the way: the script and the response get the caller's context as sent.
        assertThat(JSON.readTree(response.body()).get("traceparent").asText()).isEqualTo(sent);
        assertThat(response.headers().firstValue("traceparent")).hasValue(sent);
        assertThat(exported.getFinishedSpanItems()).noneMatch(span -> span.getTraceId().equals(traceId));
    }
}

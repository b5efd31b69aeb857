package dev.metropolis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When tracing turns on from OTEL_* variables, and what it does to message headers. */
class TracingTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    /** Nothing listens there; the tests end no span, so nothing is ever sent. */
    private static final String ENDPOINT = "http://127.0.0.1:9";

    @Test
    void onlyAnExporterOrAnEndpointTurnsTracingOn() {
        assertThat(Tracing.configured(Map.of())).isFalse();
        assertThat(Tracing.configured(Map.of("OTEL_SERVICE_NAME", "shop"))).isFalse();
        assertThat(Tracing.configured(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", ENDPOINT))).isTrue();
        assertThat(Tracing.configured(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ENDPOINT + "/v1/traces"))).isTrue();
        assertThat(Tracing.configured(Map.of("OTEL_TRACES_EXPORTER", "otlp"))).isTrue();
        assertThat(Tracing.configured(Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_EXPORTER_OTLP_ENDPOINT", ENDPOINT))).isFalse();
        assertThat(Tracing.configured(Map.of("OTEL_SDK_DISABLED", "true", "OTEL_EXPORTER_OTLP_ENDPOINT", ENDPOINT))).isFalse();
        assertThat(Tracing.configured(Map.of("OTEL_SDK_DISABLED", "false", "OTEL_EXPORTER_OTLP_ENDPOINT", ENDPOINT))).isTrue();
    }

    @Test
    void disabledTracingRecordsNothingAndLeavesHeadersAlone() {
        try (Tracing tracing = Tracing.fromEnvironment(Map.of(), "metropolis-test")) {
            assertThat(tracing.enabled()).isFalse();
            Map<String, List<String>> headers = new LinkedHashMap<>(Map.of("traceparent", List.of(TRACEPARENT)));
            Span span = tracing.tracer().spanBuilder("task t").setParent(tracing.extract(headers)).startSpan();
            tracing.inject(Context.root().with(span), headers);

            assertThat(span.isRecording()).isFalse();
            assertThat(headers).containsExactly(Map.entry("traceparent", List.of(TRACEPARENT)));
        }
    }

    @Test
    void configuredTracingContinuesTheCallersTraceUnderItsOwnSpan() {
        try (Tracing tracing = Tracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", ENDPOINT), "metropolis-test")) {
            assertThat(tracing.enabled()).isTrue();
            Map<String, List<String>> headers = new LinkedHashMap<>(Map.of("Traceparent", List.of(TRACEPARENT)));
            Span span = tracing.tracer().spanBuilder("task t").setParent(tracing.extract(headers)).startSpan();
            tracing.inject(Context.root().with(span), headers);

            assertThat(span.isRecording()).isTrue();
            assertThat(span.getSpanContext().getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            // Replaced whatever the case of the name it came in.
            assertThat(headers).containsOnlyKeys("traceparent");
            assertThat(headers.get("traceparent").getFirst())
                    .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.getSpanContext().getSpanId() + "-01");
            assertThat(serviceName(span)).isEqualTo("metropolis-test");
        }
    }

    @Test
    void otelServiceNameWinsOverOurDefault() {
        try (Tracing tracing = Tracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", ENDPOINT,
                "OTEL_SERVICE_NAME", "shop"), "metropolis-test")) {
            assertThat(serviceName(tracing.tracer().spanBuilder("x").startSpan())).isEqualTo("shop");
        }
    }

    @Test
    void whatTheSdkCannotDoFailsAtStartNamingTheVariables() {
        // The OTLP exporter sends with the JDK's HTTP client: OTLP/HTTP only, no gRPC.
        assertThatThrownBy(() -> Tracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", ENDPOINT,
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), "metropolis-test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OTEL_EXPORTER_OTLP_PROTOCOL=grpc");
        assertThatThrownBy(() -> Tracing.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "zipkin"), "metropolis-test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zipkin");
    }

    private static String serviceName(Span span) {
        return ((ReadableSpan) span).toSpanData().getResource().getAttribute(AttributeKey.stringKey("service.name"));
    }
}

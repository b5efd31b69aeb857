package dev.metropolis.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The process's OpenTelemetry: spans exported over OTLP when the standard {@code OTEL_*}
 * variables ask for it, otherwise a no-op that records nothing, exports nothing and leaves trace
 * headers as they came. Built once per process and handed to the host and the gateway.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Tracing.class.getName());
    private static final String SCOPE = "dev.metropolis";
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    /** How long closing waits for the last spans to leave. */
    private static final long FLUSH_SECONDS = 10;

    private final OpenTelemetry telemetry;
    private final Tracer tracer;
    private final OpenTelemetrySdk sdk;

    private Tracing(OpenTelemetry telemetry, OpenTelemetrySdk sdk) {
        this.telemetry = telemetry;
        this.tracer = telemetry.getTracer(SCOPE);
        this.sdk = sdk;
    }

    /** No tracing: spans are no-ops and trace headers pass through untouched. */
    public static Tracing disabled() {
        return new Tracing(OpenTelemetry.noop(), null);
    }

    /** Tracing with this SDK (tests give one with an in-memory exporter); closing flushes and shuts it down. */
    public static Tracing of(OpenTelemetrySdk sdk) {
        return new Tracing(sdk, sdk);
    }

    /**
     * Tracing as the {@code OTEL_*} variables in {@code env} configure it, or {@link #disabled()}
     * when they do not ask for traces (see {@link #configured(Map)}).
     *
     * @param serviceName the {@code service.name} unless {@code OTEL_SERVICE_NAME} or
     *                    {@code OTEL_RESOURCE_ATTRIBUTES} gives one
     * @throws IllegalArgumentException when the variables ask for something the SDK cannot do
     */
    public static Tracing fromEnvironment(Map<String, String> env, String serviceName) {
        if (!configured(env)) {
            return disabled();
        }
        for (String protocol : List.of("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")) {
            if (value(env, protocol).equalsIgnoreCase("grpc")) {
                throw new IllegalArgumentException(protocol + "=grpc is not supported: spans go over OTLP/HTTP"
                        + " (http/protobuf, the default; a collector listens for it on port 4318)");
            }
        }
        OpenTelemetrySdk sdk;
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> properties(env))
                    .addResourceCustomizer((resource, config) -> named(resource, serviceName))
                    .disableShutdownHook() // the owner closes it after the last span, not a racing JVM hook
                    .build()
                    .getOpenTelemetrySdk();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause(); // autoconfigure wraps the telling one
            throw new IllegalArgumentException("OpenTelemetry configuration (OTEL_* variables): " + cause.getMessage(), e);
        }
        LOG.log(Level.INFO, "tracing on: spans exported over OTLP to {0}", endpoint(env));
        return of(sdk);
    }

    /**
     * True when the environment asks for traces: {@code OTEL_TRACES_EXPORTER} names an exporter
     * other than "none", or (with it unset) an OTLP endpoint is given. {@code OTEL_SDK_DISABLED=true}
     * turns tracing off regardless. Nothing set means off: the SDK's own default would send to
     * localhost:4318 whether or not anything listens there.
     */
    static boolean configured(Map<String, String> env) {
        if (value(env, "OTEL_SDK_DISABLED").equalsIgnoreCase("true")) {
            return false;
        }
        String exporter = value(env, "OTEL_TRACES_EXPORTER");
        if (!exporter.isEmpty()) {
            return !exporter.equalsIgnoreCase("none");
        }
        return !value(env, "OTEL_EXPORTER_OTLP_ENDPOINT").isEmpty() || !value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").isEmpty();
    }

    /**
     * The SDK's properties: our defaults, then every {@code OTEL_*} variable as the property it
     * names. Traces only (metrics are Prometheus, logs are the JSON log), over OTLP/HTTP: the
     * exporter sends with the JDK's HTTP client, which does not speak gRPC.
     */
    private static Map<String, String> properties(Map<String, String> env) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        properties.put("otel.exporter.otlp.protocol", "http/protobuf");
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_")) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return properties;
    }

    private static Resource named(Resource resource, String serviceName) {
        String name = resource.getAttribute(SERVICE_NAME);
        return name == null || name.startsWith("unknown_service")
                ? resource.merge(Resource.builder().put(SERVICE_NAME, serviceName).build())
                : resource;
    }

    private static String endpoint(Map<String, String> env) {
        String traces = value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        String all = value(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
        return !traces.isEmpty() ? traces : !all.isEmpty() ? all + " (/v1/traces)" : "http://localhost:4318/v1/traces";
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null ? "" : value.trim();
    }

    /** The tracer every Metropolis span comes from. */
    public Tracer tracer() {
        return tracer;
    }

    /** True when spans are recorded and exported; false for the no-op. */
    public boolean enabled() {
        return sdk != null;
    }

    /** The trace context carried by incoming headers (the root context when there is none, or when disabled). */
    public <C> Context extract(C carrier, TextMapGetter<C> getter) {
        return telemetry.getPropagators().getTextMapPropagator().extract(Context.root(), carrier, getter);
    }

    /** Writes {@code context}'s trace context into outgoing headers (nothing when disabled). */
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        telemetry.getPropagators().getTextMapPropagator().inject(context, carrier, setter);
    }

    /** The trace context in message headers kept as name -> values (names compared ignoring case). */
    public Context extract(Map<String, List<String>> headers) {
        return extract(headers, HeaderMap.INSTANCE);
    }

    /** Writes the trace context into message headers kept as name -> values, replacing what they carried. */
    public void inject(Context context, Map<String, List<String>> headers) {
        inject(context, headers, HeaderMap.INSTANCE);
    }

    /** Exports the spans still buffered and stops the SDK. */
    @Override
    public void close() {
        if (sdk == null) {
            return;
        }
        CompletableResultCode done = sdk.shutdown().join(FLUSH_SECONDS, TimeUnit.SECONDS);
        if (!done.isSuccess()) {
            LOG.log(Level.WARNING, "tracing: the last spans could not be exported within {0} s", FLUSH_SECONDS);
        }
    }

    /** Reads and writes headers held as name -> values, matching names as HTTP and NATS do: ignoring case. */
    private enum HeaderMap implements TextMapGetter<Map<String, List<String>>>, TextMapSetter<Map<String, List<String>>> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Map<String, List<String>> headers) {
            return headers.keySet();
        }

        @Override
        public String get(Map<String, List<String>> headers, String key) {
            if (headers == null) {
                return null;
            }
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(key) && !header.getValue().isEmpty()) {
                    return header.getValue().getFirst();
                }
            }
            return null;
        }

        @Override
        public void set(Map<String, List<String>> headers, String key, String value) {
            if (headers != null) {
                headers.keySet().removeIf(name -> name.equalsIgnoreCase(key));
                headers.put(key, List.of(value));
            }
        }
    }
}

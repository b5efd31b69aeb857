package dev.metropolis.gateway;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters: requests by route, method and status, their latency, failed NATS
 * requests by kind, and retries by route and reason. The route label is the route as listed by {@code GET /tasks}, or "none" for
 * a path no task serves, so its values stay few.
 */
final class GatewayMetrics {
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private static final Duration[] STREAM_BUCKETS = {
        Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(10)};

    private final MeterRegistry registry;
    /** The meters of each route, method and status, looked up once: a registry lookup builds tags and a builder. */
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> durations = new ConcurrentHashMap<>();

    private record RequestKey(String route, String method, int status) {}

    GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void request(String route, String method, int status, long nanos) {
        requests.computeIfAbsent(new RequestKey(route, method, status), key -> registry.getOrCreate(
                Counter.builder("metropolis.gateway.requests")
                        .tags(List.of(Tag.create("route", route), Tag.create("method", method),
                                Tag.create("status", Integer.toString(status))))
                        .description("HTTP requests by route, method and status"))).increment();
        durations.computeIfAbsent(List.of(route, method), key -> registry.getOrCreate(
                Timer.builder("metropolis.gateway.request.duration")
                        .tags(List.of(Tag.create("route", route), Tag.create("method", method)))
                        .buckets(BUCKETS).percentiles(new double[0])
                        .description("HTTP request latency through the gateway"))).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A NATS request sent again; reason is a {@link RetryPolicy.Failure} label. */
    void retry(String route, String reason) {
        registry.getOrCreate(Counter.builder("metropolis.gateway.retries")
                .tags(List.of(Tag.create("route", route), Tag.create("reason", reason)))
                .description("NATS requests the gateway sent again, by route and reason")).increment();
    }

    /** A client that closed its connection before it had sent the whole request body. */
    void clientGone() {
        registry.getOrCreate(Counter.builder("metropolis.gateway.client.disconnects")
                .description("Requests whose client went away before sending their whole body")).increment();
    }

    /** A NATS request that got no task reply: no_responders, timeout, disconnected or failed. */
    void natsError(String kind) {
        registry.getOrCreate(Counter.builder("metropolis.gateway.nats.errors").tags(List.of(Tag.create("kind", kind)))
                .description("NATS requests that got no reply from a task, by kind")).increment();
    }

    /** One chunk of a streamed reply written to its client. */
    void streamChunk(String route) {
        registry.getOrCreate(Counter.builder("metropolis.gateway.stream.chunks").tags(List.of(Tag.create("route", route)))
                .description("Chunks of streamed replies written to HTTP clients")).increment();
    }

    /** A streamed reply ended: outcome ok, failed (the task's error or silence) or client_gone. */
    void streamEnded(String route, String outcome, long nanos) {
        registry.getOrCreate(Timer.builder("metropolis.gateway.stream.duration")
                .tags(List.of(Tag.create("route", route), Tag.create("outcome", outcome)))
                .buckets(STREAM_BUCKETS).percentiles(new double[0])
                .description("Streamed replies from their request to their end, by outcome")).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A job that entered {@code state} (queued, running, succeeded, failed). */
    void job(Job.State state) {
        registry.getOrCreate(Counter.builder("metropolis.gateway.jobs").tags(List.of(Tag.create("state", state.label())))
                .description("Jobs that entered each state (queued again after a failed attempt counts again)")).increment();
    }

    /** A callback attempt's outcome: delivered, retried or given_up. */
    void callback(String outcome) {
        registry.getOrCreate(Counter.builder("metropolis.gateway.callbacks").tags(List.of(Tag.create("outcome", outcome)))
                .description("Job callbacks by outcome")).increment();
    }
}

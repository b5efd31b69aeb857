package dev.metropolis.observe;

import dev.metropolis.metrics.Registries;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.nats.client.Connection;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Helidon's observe endpoints, shared by the gateway and the host: {@code /observe/metrics}
 * (Prometheus text) and {@code /observe/health/live} and {@code /ready} (ready while NATS is connected).
 */
public final class Observability {
    private static final Logger LOG = Logger.getLogger(Observability.class.getName());

    private Observability() {}

    /** The observe feature: health with {@code readiness}, and the metrics of {@code registry}. */
    public static ObserveFeature feature(HealthCheck readiness, MeterRegistry registry) {
        return ObserveFeature.just(
                HealthObserver.builder()
                        .details(true) // the JSON says which check failed and the NATS state
                        .addCheck(readiness)
                        .build(),
                MetricsObserver.builder()
                        .meterRegistry(registry)
                        .metricsConfig(Registries.config()) // snake_case built-in JVM meters, as promtool wants
                        .build());
    }

    /** Ready while the NATS connection's state is CONNECTED; the JSON names the state. */
    public static HealthCheck natsReadiness(Supplier<Connection.Status> status) {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public String name() {
                return "nats";
            }

            @Override
            public HealthCheckResponse call() {
                Connection.Status now = status.get();
                return HealthCheckResponse.builder()
                        .status(now == Connection.Status.CONNECTED)
                        .detail("status", now.name())
                        .build();
            }
        };
    }

    /**
     * A server with the observe endpoints only (the host's): metrics and health, nothing else.
     *
     * @param address   where to listen
     * @param connected the NATS connection state of whoever it reports on
     * @param registry  the meters exported
     */
    public static WebServer startEndpoint(ObserveAddress address, Supplier<Connection.Status> connected,
            MeterRegistry registry) {
        WebServer server = WebServer.builder()
                .host(address.host())
                .port(address.port())
                .shutdownHook(false)
                .addFeature(feature(natsReadiness(connected), registry))
                .build()
                .start();
        LOG.log(Level.INFO, "metrics and health on http://{0}:{1}/observe/metrics (/observe/health)",
                new Object[] {address.host(), String.valueOf(server.port())});
        return server;
    }
}

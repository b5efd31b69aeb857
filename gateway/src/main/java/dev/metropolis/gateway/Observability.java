package dev.metropolis.gateway;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import dev.metropolis.metrics.Registries;
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

    static ObserveFeature feature(HealthCheck readiness) {
        return ObserveFeature.just(
                HealthObserver.builder()
                        .details(true) // the JSON says which check failed and the NATS state
                        .addCheck(readiness)
                        .build(),
                MetricsObserver.builder()
                        .meterRegistry(Registries.global())
                        .metricsConfig(Registries.config()) // snake_case built-in JVM meters, as promtool wants
                        .build());
    }

    static HealthCheck natsReadiness(Supplier<Connection.Status> status) {
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
     * The host's own observe port: metrics and health, nothing else.
     *
     * @param host      address to bind
     * @param port      port (0 picks a free one)
     * @param connected the NATS connection state of the host
     */
    public static WebServer startHostEndpoint(String host, int port, Supplier<Connection.Status> connected) {
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                .addFeature(feature(natsReadiness(connected)))
                .build()
                .start();
        LOG.log(Level.INFO, "host metrics and health on http://{0}:{1}/observe/metrics (/observe/health)",
                new Object[] {host, String.valueOf(server.port())});
        return server;
    }
}

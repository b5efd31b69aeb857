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
import java.util.function.BooleanSupplier;
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

    /** The observe feature: health with {@code checks} (readiness, liveness), and the metrics of {@code registry}. */
    public static ObserveFeature feature(MeterRegistry registry, HealthCheck... checks) {
        var health = HealthObserver.builder().details(true); // the JSON says which check failed and why
        for (HealthCheck check : checks) {
            health.addCheck(check);
        }
        return ObserveFeature.just(
                health.build(),
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
     * Live while {@code alive} says so: a thread the process cannot work without (the host's
     * watchdog, which fires every timeout) is running. {@code /observe/health/live} then fails and
     * an orchestrator restarts the process.
     */
    public static HealthCheck liveness(String name, BooleanSupplier alive) {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.LIVENESS;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthCheckResponse call() {
                boolean up = alive.getAsBoolean();
                return HealthCheckResponse.builder().status(up).detail("running", up).build();
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
            MeterRegistry registry, HealthCheck... liveness) {
        WebServer server = WebServer.builder()
                .host(address.host())
                .port(address.port())
                .shutdownHook(false)
                .addFeature(feature(registry, withReadiness(natsReadiness(connected), liveness)))
                .build()
                .start();
        LOG.log(Level.INFO, "metrics and health on http://{0}:{1}/observe/metrics (/observe/health)",
                new Object[] {address.host(), String.valueOf(server.port())});
        return server;
    }

    private static HealthCheck[] withReadiness(HealthCheck readiness, HealthCheck... others) {
        HealthCheck[] all = new HealthCheck[others.length + 1];
        all[0] = readiness;
        System.arraycopy(others, 0, all, 1, others.length);
        return all;
    }
}

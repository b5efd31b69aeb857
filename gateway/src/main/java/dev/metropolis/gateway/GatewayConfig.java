package dev.metropolis.gateway;

import dev.metropolis.nats.NatsSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the gateway needs, read once from flags and environment.
 *
 * @param host              address to bind ("0.0.0.0" for all, "127.0.0.1" for local only)
 * @param port              HTTP port (0 picks a free one)
 * @param nats              how to reach NATS
 * @param maxBodyBytes      largest request body accepted (also capped by the NATS server's max payload)
 * @param maxInFlight       most requests handled at once; beyond, Helidon answers 503
 * @param discoveryInterval how often routes are refreshed from NATS service discovery
 * @param shutdownGrace     on stop, how long in-flight requests may finish
 * @param edge              authentication, rate limits, CORS and TLS
 */
public record GatewayConfig(String host, int port, NatsSettings nats, long maxBodyBytes, int maxInFlight,
        Duration discoveryInterval, Duration shutdownGrace, EdgeConfig edge) {

    /** A gateway with an open edge: no authentication, limits, CORS or TLS (tests). */
    public GatewayConfig(String host, int port, NatsSettings nats, long maxBodyBytes, int maxInFlight,
            Duration discoveryInterval, Duration shutdownGrace) {
        this(host, port, nats, maxBodyBytes, maxInFlight, discoveryInterval, shutdownGrace, EdgeConfig.OPEN);
    }

    public GatewayConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(nats, "nats");
        Objects.requireNonNull(edge, "edge");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("max body size must be positive, got " + maxBodyBytes);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight requests must be positive, got " + maxInFlight);
        }
        if (discoveryInterval.toMillis() < 100) {
            throw new IllegalArgumentException("discovery interval must be at least 100ms, got " + discoveryInterval);
        }
    }

    /** The same configuration with another edge. */
    public GatewayConfig withEdge(EdgeConfig other) {
        return new GatewayConfig(host, port, nats, maxBodyBytes, maxInFlight, discoveryInterval, shutdownGrace, other);
    }
}

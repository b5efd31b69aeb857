package dev.metropolis.observe;

import java.util.Objects;

/**
 * Where a process serves {@code /observe/metrics} and {@code /observe/health}.
 *
 * @param host the address to bind
 * @param port the port; 0 means no endpoint at all
 */
public record ObserveAddress(String host, int port) {
    /** No observe endpoint. */
    public static final ObserveAddress NONE = new ObserveAddress("127.0.0.1", 0);

    public ObserveAddress {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("metrics port must be 0-65535, got " + port);
        }
    }

    /** Whether an endpoint is wanted. */
    public boolean enabled() {
        return port > 0;
    }
}

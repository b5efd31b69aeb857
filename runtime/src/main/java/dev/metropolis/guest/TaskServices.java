package dev.metropolis.guest;

import dev.metropolis.trace.Tracing;
import io.nats.client.Connection;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the host lends task scripts for the work their grants allow: its NATS connection (calls
 * and publishes), its tracing (calls are child spans), its environment (granted variables) and
 * its secrets folder. Scripts reach none of it except through the grants in their header.
 *
 * @param nats        the host's connection, or null while it is not up yet
 * @param tracing     where call spans go
 * @param environment the host's environment variables
 * @param secretsDir  the folder holding one file per secret, or null for none
 * @param http        the client for the HTTP requests scripts send
 * @param maxHttpResponseBytes the largest HTTP response body a script may read
 */
public record TaskServices(Supplier<Connection> nats, Tracing tracing, Map<String, String> environment, Path secretsDir,
        SharedHttpClient http, long maxHttpResponseBytes) {
    public TaskServices {
        Objects.requireNonNull(nats, "nats");
        Objects.requireNonNull(tracing, "tracing");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(http, "http");
        if (maxHttpResponseBytes < 1) {
            throw new IllegalArgumentException("the largest HTTP response must be positive, got " + maxHttpResponseBytes);
        }
    }

    /** No connection, tracing, environment or secrets: for contexts that only answer. */
    public static TaskServices none() {
        return new TaskServices(() -> null, Tracing.disabled(), Map.of(), null, new SharedHttpClient(), 10L << 20);
    }
}

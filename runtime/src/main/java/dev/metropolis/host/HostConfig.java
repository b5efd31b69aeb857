package dev.metropolis.host;

import dev.metropolis.guest.GuestContexts;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.observe.ObserveAddress;
import dev.metropolis.stream.MissingStreams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a host needs to know, read once from flags and environment.
 *
 * @param scriptsDir   the folder of task scripts to serve
 * @param nats         how to reach NATS
 * @param drainTimeout how long a stopping (or replaced) version lets in-flight messages finish
 * @param watch        follow edits, additions and deletions in the folder while running (hot reload)
 * @param observe      where the host serves {@code /observe/metrics} and {@code /observe/health}
 * @param secretsDir   the folder of secrets (one file each) that scripts may be granted, or null for none
 * @param maxHttpResponseBytes the largest HTTP response body a script may read
 * @param loadTimeout  how long a script's module-level code may run before it is a load error
 * @param missingStreams whether a stream a task names but that does not exist is created or the task refused
 */
public record HostConfig(Path scriptsDir, NatsSettings nats, Duration drainTimeout, boolean watch, ObserveAddress observe,
        Path secretsDir, long maxHttpResponseBytes, Duration loadTimeout, MissingStreams missingStreams) {
    /** The default of {@code --http-max-response}: 10 MiB. */
    public static final long DEFAULT_MAX_HTTP_RESPONSE = 10L << 20;

    public HostConfig {
        Objects.requireNonNull(scriptsDir, "scriptsDir");
        Objects.requireNonNull(nats, "nats");
        Objects.requireNonNull(observe, "observe");
        Objects.requireNonNull(missingStreams, "missingStreams");
        if (maxHttpResponseBytes < 1) {
            throw new IllegalArgumentException("the largest HTTP response must be positive, got " + maxHttpResponseBytes);
        }
        if (loadTimeout == null || loadTimeout.isNegative() || loadTimeout.isZero()) {
            throw new IllegalArgumentException("the load timeout must be positive, got " + loadTimeout);
        }
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drain timeout must not be negative, got " + drainTimeout);
        }
    }

    /** A configuration with the default load timeout that creates missing streams. */
    public HostConfig(Path scriptsDir, NatsSettings nats, Duration drainTimeout, boolean watch, ObserveAddress observe,
            Path secretsDir, long maxHttpResponseBytes) {
        this(scriptsDir, nats, drainTimeout, watch, observe, secretsDir, maxHttpResponseBytes,
                GuestContexts.defaultLoadTimeout(), MissingStreams.CREATE);
    }

    /** This configuration with another load timeout. */
    public HostConfig withLoadTimeout(Duration timeout) {
        return new HostConfig(scriptsDir, nats, drainTimeout, watch, observe, secretsDir, maxHttpResponseBytes, timeout,
                missingStreams);
    }

    /** The same configuration with another answer to missing streams. */
    public HostConfig withMissingStreams(MissingStreams missing) {
        return new HostConfig(scriptsDir, nats, drainTimeout, watch, observe, secretsDir, maxHttpResponseBytes, loadTimeout,
                missing);
    }

    /** A configuration without secrets. */
    public HostConfig(Path scriptsDir, NatsSettings nats, Duration drainTimeout, boolean watch, ObserveAddress observe) {
        this(scriptsDir, nats, drainTimeout, watch, observe, null, DEFAULT_MAX_HTTP_RESPONSE);
    }

    /** A configuration without an observe endpoint or secrets. */
    public HostConfig(Path scriptsDir, NatsSettings nats, Duration drainTimeout, boolean watch) {
        this(scriptsDir, nats, drainTimeout, watch, ObserveAddress.NONE);
    }

    /** A configuration without hot reload or an observe endpoint. */
    public HostConfig(Path scriptsDir, NatsSettings nats, Duration drainTimeout) {
        this(scriptsDir, nats, drainTimeout, false);
    }
}

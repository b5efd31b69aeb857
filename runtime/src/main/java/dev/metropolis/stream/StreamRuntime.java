package dev.metropolis.stream;

import dev.metropolis.serve.TaskMetrics;
import io.nats.client.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What every stream binding of a host shares.
 *
 * @param timer   runs in-progress marks, consumer-state reads and schedule ticks (must not block)
 * @param settler acks, naks, dead letters and tick publishing: network round trips, off the workers
 * @param clock   the wall clock of schedule ticks
 * @param nanoTime the clock of in-progress marks and durations
 */
public record StreamRuntime(Connection connection, MissingStreams missingStreams, Duration drainTimeout, TaskMetrics metrics,
        ScheduledExecutorService timer, Executor settler, Clock clock, LongSupplier nanoTime) {
    public StreamRuntime {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(missingStreams, "missingStreams");
    }
}

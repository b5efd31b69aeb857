package dev.metropolis.gateway;

import dev.metropolis.task.Durations;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.nats.NoResponders;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a task's NATS request and waits for its reply, sending it again where {@link RetryPolicy}
 * says it is safe, until the request's deadline.
 *
 * <p>Each attempt gives the task its own timeout, or what is left of the deadline if less, and
 * tells the host so ({@link WireHeaders#TIMEOUT}). jnats does not fail a pending request when
 * a connection drops: a message lost with a connection (the gateway's, or the host's NATS server
 * crashing) shows only as no reply by then. So a lost idempotent request is retried only when the
 * caller's deadline ({@code Request-Timeout}) is longer than the task's timeout.
 */
final class TaskRequester {
    private static final Logger LOG = Logger.getLogger(TaskRequester.class.getName());
    /** Extra wait beyond the attempt's timeout, so the host's own timeout reply (with its reason) arrives first. */
    private static final Duration REPLY_MARGIN = Duration.ofMillis(500);
    /** An attempt shorter than this is not worth sending. */
    private static final Duration SHORTEST_ATTEMPT = Duration.ofMillis(50);

    private final Supplier<Connection> nats;
    private final GatewayMetrics metrics;

    TaskRequester(Supplier<Connection> nats, GatewayMetrics metrics) {
        this.nats = nats;
        this.metrics = metrics;
    }

    /** The task's reply (success or error), or a {@link TaskError} when none came within {@code deadline}. */
    Message request(RouteTable.Match match, String method, Headers headers, byte[] body, Duration deadline) {
        long start = System.nanoTime();
        for (int retry = 1; ; retry++) {
            // Whole milliseconds: the host is told the attempt's timeout, and names it in a timeout reply.
            Duration left = retry == 1 ? deadline
                    : deadline.minusNanos(System.nanoTime() - start).truncatedTo(ChronoUnit.MILLIS);
            Duration attempt = left.compareTo(match.route().timeout()) < 0 ? left : match.route().timeout();
            AttemptFailed failed;
            try {
                return attempt(match, headers, body, attempt);
            } catch (AttemptFailed e) {
                failed = e;
            }
            Duration pause = RetryPolicy.backoff(retry);
            Duration leftAfterPause = deadline.minusNanos(System.nanoTime() - start).minus(pause);
            if (!RetryPolicy.retries(failed.failure, method) || leftAfterPause.compareTo(SHORTEST_ATTEMPT) < 0) {
                metrics.natsError(failed.failure.label());
                throw failed.error;
            }
            metrics.retry(match.route().display(), failed.failure.label());
            LOG.log(Level.FINE, "retrying {0} {1} in {2} ms ({3}, retry {4})", new Object[] {method, match.subject(),
                String.valueOf(pause.toMillis()), failed.failure.label(), String.valueOf(retry)});
            pause(pause);
        }
    }

    private Message attempt(RouteTable.Match match, Headers headers, byte[] body, Duration timeout) throws AttemptFailed {
        Connection connection = nats.get();
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            throw new AttemptFailed(RetryPolicy.Failure.DISCONNECTED, TaskError.of(ErrorKind.UNAVAILABLE,
                    "the gateway is not connected to NATS right now; retry shortly"));
        }
        headers.put(WireHeaders.TIMEOUT, WireHeaders.timeoutValue(timeout));
        Duration wait = timeout.plus(REPLY_MARGIN);
        try {
            return connection.requestWithTimeout(match.subject(), headers, body, wait)
                    .get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (NoResponders.is(e.getCause())) {
                throw new AttemptFailed(RetryPolicy.Failure.NO_RESPONDERS, TaskError.of(ErrorKind.UNAVAILABLE,
                        "no host serves task '" + match.route().task() + "' right now (subject '" + match.subject()
                                + "'); retry shortly"));
            }
            if (e.getCause() instanceof CancellationException || e.getCause() instanceof TimeoutException) {
                throw noReply(match, timeout);
            }
            throw new AttemptFailed(RetryPolicy.Failure.FAILED, TaskError.of(ErrorKind.UNAVAILABLE,
                    "the NATS request failed: " + e.getCause()));
        } catch (TimeoutException | CancellationException e) {
            throw noReply(match, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TaskError.of(ErrorKind.UNAVAILABLE, "the gateway is shutting down");
        }
    }

    private static AttemptFailed noReply(RouteTable.Match match, Duration timeout) {
        return new AttemptFailed(RetryPolicy.Failure.NO_REPLY, TaskError.of(ErrorKind.TIMED_OUT,
                "task '" + match.route().task() + "' sent no reply within " + Durations.format(timeout)));
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TaskError.of(ErrorKind.UNAVAILABLE, "the gateway is shutting down");
        }
    }

    /** An attempt that got no reply from a task: why, and the error the caller gets if it is not retried. */
    private static final class AttemptFailed extends Exception {
        final RetryPolicy.Failure failure;
        final TaskError error;

        AttemptFailed(RetryPolicy.Failure failure, TaskError error) {
            super(error.getMessage(), null, false, false);
            this.failure = failure;
            this.error = error;
        }
    }
}

package dev.metropolis.gateway;

import java.time.Duration;
import java.util.Set;

/**
 * Which failed NATS requests the gateway sends again. The rule is about what the task may already
 * have done:
 * <ul>
 *   <li>{@link Failure#NO_RESPONDERS} (NATS 503: the message reached nobody) and
 *       {@link Failure#DISCONNECTED} (the gateway was not connected, so nothing was sent): the task
 *       cannot have run, so these are retried for every method, e.g. while a host starts, restarts or
 *       its NATS server fails over.</li>
 *   <li>{@link Failure#NO_REPLY} (no reply at all, not even the host's own timeout reply, because a
 *       message or its reply was lost with a connection) and {@link Failure#FAILED} (the client
 *       library failed the request): the task may have run, so only idempotent methods (GET, HEAD,
 *       OPTIONS, PUT, DELETE; RFC 9110 §9.2.2) are retried; POST and PATCH are answered 504/503.</li>
 * </ul>
 * A reply from a task is never retried, errors included (4xx, 500, a 504 timeout reply, a 429 busy
 * reply): the task decided. Every retry waits {@link #backoff(int)} first and needs the request's
 * deadline to leave room for another attempt.
 */
final class RetryPolicy {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
    private static final long FIRST_BACKOFF_MS = 25;
    private static final long MAX_BACKOFF_MS = 400;

    /** Why an attempt got no reply from a task; the label is the one of the gateway's metrics. */
    enum Failure {
        NO_RESPONDERS("no_responders", true),
        DISCONNECTED("disconnected", true),
        NO_REPLY("timeout", false),
        FAILED("failed", false);

        private final String label;
        private final boolean taskCannotHaveRun;

        Failure(String label, boolean taskCannotHaveRun) {
            this.label = label;
            this.taskCannotHaveRun = taskCannotHaveRun;
        }

        String label() {
            return label;
        }
    }

    private RetryPolicy() {}

    /** Whether a request with this HTTP method may be sent again after this failure. */
    static boolean retries(Failure failure, String method) {
        return failure.taskCannotHaveRun || IDEMPOTENT.contains(method);
    }

    /** The pause before retry number {@code retry} (1 for the first): 25 ms, doubling, at most 400 ms. */
    static Duration backoff(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, got " + retry);
        }
        return Duration.ofMillis(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(retry - 1, 16)));
    }
}

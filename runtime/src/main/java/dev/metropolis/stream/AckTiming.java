package dev.metropolis.stream;

import java.time.Duration;

/**
 * How long the server waits for a message's acknowledgement before redelivering it
 * ({@code ack_wait}), and when a host still running it says "in progress" to reset that wait.
 * Derived from the task's timeout: short tasks are redelivered soon after a host is lost; long
 * ones are kept alive by in-progress acks, so {@code ack_wait} stays short for them too.
 */
public final class AckTiming {
    static final Duration SHORTEST = Duration.ofSeconds(1);
    static final Duration LONGEST = Duration.ofSeconds(30);

    private AckTiming() {}

    /** The consumer's {@code ack_wait}: the timeout, kept between 1 s and 30 s. */
    public static Duration ackWait(Duration timeout) {
        if (timeout.compareTo(SHORTEST) < 0) {
            return SHORTEST;
        }
        return timeout.compareTo(LONGEST) > 0 ? LONGEST : timeout;
    }

    /** How often a running message is marked in progress: three times per {@code ack_wait}, so one lost mark does no harm. */
    public static Duration progressInterval(Duration ackWait) {
        return ackWait.dividedBy(3);
    }

    /** Whether a message last marked (or received) at {@code lastNanos} is due a mark at {@code nowNanos}. */
    public static boolean progressDue(long lastNanos, long nowNanos, Duration interval) {
        return nowNanos - lastNanos >= interval.toNanos();
    }
}

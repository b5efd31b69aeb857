package dev.metropolis.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Waiting in tests for something to become true, with a deadline: the one wait loop of the
 * suite. It checks the condition, then again after a short pause that grows to 50 ms, and fails
 * naming what it waited for. Use it where no event can be waited on (a server's state seen from
 * outside, a log line); never sleep a fixed time instead.
 */
public final class Await {
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(5).toNanos();
    private static final long LONGEST_PAUSE_NANOS = Duration.ofMillis(50).toNanos();

    private Await() {}

    /** A condition that may throw (a request, a read); a throw counts as "not yet". */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Returns once {@code condition} holds; fails with {@code what} and the last exception the
     * condition threw, if any, when it still does not after {@code timeout}.
     */
    public static void until(Duration timeout, String what, Condition condition) {
        value(timeout, what, () -> condition.holds() ? Boolean.TRUE : null, value -> true);
    }

    /**
     * The first value {@code produce} returns that {@code accept} takes (null and throws count as
     * "not yet"); fails naming {@code what} after {@code timeout}.
     */
    public static <T> T value(Duration timeout, String what, Callable<T> produce, Predicate<? super T> accept) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        Exception last = null;
        T seen = null;
        while (true) {
            try {
                seen = produce.call();
                if (seen != null && accept.test(seen)) {
                    return seen;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            } catch (Exception e) {
                last = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                AssertionError failure = new AssertionError("timed out after " + timeout + " waiting for " + what
                        + (seen == null ? "" : " (last seen: " + seen + ")"));
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }
}

package dev.metropolis.runner;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Fires call timeouts. The timer only hands each timeout to a thread of its own: interrupting a
 * guest takes milliseconds, but cancelling one that ignores the interrupt can block until the
 * guest yields, and that must not delay the other timeouts.
 */
public final class Watchdog implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService interrupters =
            Executors.newCachedThreadPool(Thread.ofPlatform().daemon(true).name("task-interrupter-", 1).factory());

    public Watchdog() {
        timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon(true).name("task-watchdog").factory());
        timer.setRemoveOnCancelPolicy(true); // finished calls must not leave their timers queued
    }

    /** Times out {@code call} after {@code delayNanos} unless the returned future is cancelled first. */
    ScheduledFuture<?> schedule(GuardedCall call, long delayNanos) {
        return timer.schedule(() -> interrupters.execute(call::timeOut), delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        interrupters.shutdownNow();
    }
}

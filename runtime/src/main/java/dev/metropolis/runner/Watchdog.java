package dev.metropolis.runner;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Fires call timeouts. Watching a call costs an insertion into a concurrent set and a removal
 * when it returns; one sweeper thread looks at the calls in flight every {@link #TICK} while
 * there are any, and sleeps otherwise. A timer per call (a ScheduledThreadPoolExecutor task
 * scheduled and cancelled for every message) showed up in the host's profiles; this does not,
 * at the price of timeouts firing up to one tick late.
 *
 * <p>The sweeper only hands each expired call to a thread of its own: interrupting a guest takes
 * milliseconds, but cancelling one that ignores the interrupt can block until the guest yields,
 * and that must not delay the other timeouts.
 *
 * <p>Deadlines are on the injected clock, the same one the callers compute them on, so a
 * deadline and its measurement always agree; {@link #sweep(long)} is the pure step the sweeper
 * repeats, with the time passed in.
 */
public final class Watchdog implements AutoCloseable {
    /** How often the calls in flight are checked, i.e. how late a timeout may fire. */
    static final Duration TICK = Duration.ofMillis(5);

    private final LongSupplier nanoTime;
    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
    private final ExecutorService interrupters;
    private final MemoryGuard memory;
    private final Thread sweeper;
    /** True while the sweeper sleeps because nothing is watched: the next {@link #watch} wakes it. */
    private volatile boolean sleeping;
    private volatile boolean closed;
    private final AtomicInteger failures = new AtomicInteger();

    /** A watchdog measuring deadlines on {@code nanoTime} (the clock the callers compute them on), without a memory guard. */
    public Watchdog(LongSupplier nanoTime) {
        this(nanoTime, false);
    }

    /**
     * A watchdog measuring deadlines on {@code nanoTime}; with {@code guardMemory}, it also stops a
     * call filling this JVM's heap ({@link MemoryGuard}): one per host.
     */
    public Watchdog(LongSupplier nanoTime, boolean guardMemory) {
        this(nanoTime, Executors.newCachedThreadPool(Thread.ofPlatform().daemon(true).name("task-interrupter-", 1).factory()),
                true, guardMemory);
    }

    /**
     * @param interrupters where expired calls' timeouts run
     * @param sweeping     false for a watchdog without a sweeper thread, swept by calling {@link #sweep(long)} (tests)
     */
    Watchdog(LongSupplier nanoTime, ExecutorService interrupters, boolean sweeping) {
        this(nanoTime, interrupters, sweeping, false);
    }

    private Watchdog(LongSupplier nanoTime, ExecutorService interrupters, boolean sweeping, boolean guardMemory) {
        this.nanoTime = nanoTime;
        this.interrupters = interrupters;
        this.memory = guardMemory ? MemoryGuard.forThisJvm(this::fire) : MemoryGuard.off();
        this.sweeper = sweeping ? Thread.ofPlatform().daemon(true).name("task-watchdog").start(this::run) : null;
    }

    /** A watched call; {@link #cancel()} it when the call returned. */
    final class Watch {
        private final Runnable onTimeout;
        private final long deadline;
        private final GuardedCall call;

        private Watch(Runnable onTimeout, long deadline, GuardedCall call) {
            this.onTimeout = onTimeout;
            this.deadline = deadline;
            this.call = call;
        }

        void cancel() {
            watched.remove(this);
            if (call != null) {
                memory.untrack(call);
            }
        }
    }

    /**
     * Times out {@code call} after {@code delayNanos} unless the returned watch is cancelled first,
     * and lets the memory guard stop it meanwhile; called on the thread that runs the call.
     */
    Watch watch(GuardedCall call, long delayNanos) {
        memory.track(call);
        return add(new Watch(call::timeOut, nanoTime.getAsLong() + delayNanos, call));
    }

    /** Runs {@code onTimeout} after {@code delayNanos} unless the returned watch is cancelled first. */
    Watch watch(Runnable onTimeout, long delayNanos) {
        return add(new Watch(onTimeout, nanoTime.getAsLong() + delayNanos, null));
    }

    private Watch add(Watch watch) {
        watched.add(watch);
        if (sleeping && sweeper != null) {
            LockSupport.unpark(sweeper);
        }
        return watch;
    }

    /**
     * Hands every watch whose deadline is at or before {@code now} to an interrupter and forgets
     * it; returns how many fired. Each watch fires at most once, even when sweeps overlap.
     */
    int sweep(long now) {
        int fired = 0;
        for (Watch watch : watched) {
            if (now - watch.deadline >= 0 && watched.remove(watch)) {
                fire(watch.onTimeout);
                fired++;
            }
        }
        return fired;
    }

    private void run() {
        while (!closed) {
            try {
                step();
            } catch (OutOfMemoryError | RuntimeException e) {
                // A task that exhausts the heap may make any thread's allocation fail, this one's too: the
                // sweeper must outlive it, or no timeout fires again. The next tick retries what failed.
                failures.incrementAndGet();
            }
        }
    }

    /** One turn of the sweeper: sleep while nothing is watched, else wait a tick and sweep. */
    private void step() {
        if (watched.isEmpty()) {
            // Set before looking again, so a watch added meanwhile either is seen or wakes us.
            sleeping = true;
            if (watched.isEmpty() && !closed) {
                LockSupport.park(this);
            }
            sleeping = false;
            return;
        }
        LockSupport.parkNanos(this, TICK.toNanos());
        sweep(nanoTime.getAsLong());
    }

    /** True while the sweeper thread runs (the host's health check asks). */
    public boolean isAlive() {
        return sweeper == null || sweeper.isAlive();
    }

    /** Calls stopped because they were filling the heap. */
    public long stoppedForMemory() {
        return memory.stopped();
    }

    /** Sweeps that failed and were retried (an allocation failing while the heap was exhausted). */
    public int failures() {
        return failures.get();
    }

    private void fire(Runnable onTimeout) {
        try {
            interrupters.execute(onTimeout);
        } catch (RejectedExecutionException e) {
            // closing: the host is stopping and closes every context anyway
        }
    }

    /** Watches with a deadline not yet reached or not yet handed to an interrupter (for tests). */
    int watching() {
        return watched.size();
    }

    /** True while the sweeper thread is parked because nothing is watched (for tests). */
    boolean idle() {
        return sleeping;
    }

    @Override
    public void close() {
        closed = true;
        interrupters.shutdownNow();
        if (sweeper == null) {
            return;
        }
        LockSupport.unpark(sweeper);
        try {
            sweeper.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.metropolis.pool;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A bounded pool of warm contexts for one script. Contexts are leased exclusively, created ahead
 * of need on a background executor (one spare is started when the last idle one is taken) and
 * grow up to {@code maxSize}. Work runs inside {@link #execute}, so a context never escapes its lease.
 *
 * @param <C> the pooled resource, in production a guest context
 */
public final class ContextPool<C extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContextPool.class.getName());
    /** After a failed creation, wait this long before trying again, so a broken factory does not spin. */
    static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final int maxSize;
    private final Callable<C> factory;
    private final Executor creator;
    private final LongSupplier nanoTime;
    private final Listener listener;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<C> idle = new ArrayDeque<>();
    private int live;
    private int leased;
    private int creating;
    private boolean closed;
    /** Set by a failed creation, cleared by a successful one: the reason to report and when to retry. */
    private Throwable lastFailure;
    private long lastFailureAt;

    /**
     * @param name     the script's name, for messages
     * @param maxSize  most contexts alive at once
     * @param factory  creates one ready-to-use context (slow: runs on {@code creator})
     * @param creator  runs background creations
     * @param nanoTime the clock deadlines are measured on ({@code System::nanoTime} outside tests)
     */
    public ContextPool(String name, int maxSize, Callable<C> factory, Executor creator, LongSupplier nanoTime) {
        this(name, maxSize, factory, creator, nanoTime, Listener.NONE);
    }

    /** As above, telling {@code listener} how long creations and lease waits take (for metrics). */
    public ContextPool(String name, int maxSize, Callable<C> factory, Executor creator, LongSupplier nanoTime,
            Listener listener) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1, got " + maxSize);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.maxSize = maxSize;
        this.factory = Objects.requireNonNull(factory, "factory");
        this.creator = Objects.requireNonNull(creator, "creator");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Hears how long the pool's slow steps take. */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** A context was created in {@code nanos}. */
        default void created(long nanos) {}

        /** A lease waited {@code nanos} for a context. */
        default void waited(long nanos) {}
    }

    /** Creates the first context in the calling thread, so a script that cannot load fails here, loudly. */
    public void warmUp() throws Exception {
        long started = nanoTime.getAsLong();
        C context = factory.call();
        listener.created(nanoTime.getAsLong() - started);
        lock.lock();
        try {
            if (closed) {
                closeQuietly(context);
                return;
            }
            live++;
            idle.addFirst(context);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code work} with a context leased exclusively, waiting until {@code deadlineNanos} (on this
     * pool's clock) for one to be free. The work may {@link Lease#evict()} a context it broke.
     *
     * @throws TaskError TIMED_OUT when no context was free in time, UNAVAILABLE when the pool is closed
     */
    public <T> T execute(long deadlineNanos, Function<Lease<C>, T> work) {
        Lease<C> lease = new Lease<>(lease(deadlineNanos));
        try {
            return work.apply(lease);
        } finally {
            release(lease.context(), lease.isEvicted());
        }
    }

    private C lease(long deadlineNanos) {
        long started = nanoTime.getAsLong();
        C leased = take(deadlineNanos);
        listener.waited(nanoTime.getAsLong() - started);
        return leased;
    }

    private C take(long deadlineNanos) {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw TaskError.of(ErrorKind.UNAVAILABLE, "task '" + name + "' is stopping; retry on another host");
                }
                C context = idle.pollFirst();
                if (context != null) {
                    leased++;
                    if (idle.isEmpty()) {
                        growLocked(); // the next caller should not wait for a creation: start it now
                    }
                    return context;
                }
                growLocked();
                long remaining = deadlineNanos - nanoTime.getAsLong();
                if (remaining <= 0) {
                    throw noContextInTime();
                }
                changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TaskError.of(ErrorKind.UNAVAILABLE, "task '" + name + "' was interrupted while waiting for a context");
        } finally {
            lock.unlock();
        }
    }

    private TaskError noContextInTime() {
        if (lastFailure != null && live == 0) {
            return TaskError.of(ErrorKind.CRASHED, "task '" + name + "' has no working context: " + lastFailure.getMessage());
        }
        return TaskError.of(ErrorKind.TIMED_OUT, "task '" + name + "' had no free context before the message's timeout;"
                + " all " + live + " were busy (raise 'concurrency' or make the task faster)");
    }

    /** Starts one background creation when there is room and none is already running. */
    private void growLocked() {
        if (closed || creating > 0 || live + creating >= maxSize) {
            return;
        }
        if (lastFailure != null && nanoTime.getAsLong() - lastFailureAt < RETRY_AFTER_FAILURE_NANOS) {
            return;
        }
        creating++;
        try {
            creator.execute(this::createInBackground);
        } catch (RuntimeException e) {
            creating--;
            LOG.log(Level.WARNING, "task ''{0}'': cannot schedule a context creation: {1}", new Object[] {name, e});
        }
    }

    private void createInBackground() {
        C context = null;
        Throwable failure = null;
        long started = nanoTime.getAsLong();
        try {
            context = factory.call();
            listener.created(nanoTime.getAsLong() - started);
        } catch (Exception | Error e) { // an Error too: the count of creations in progress must come down
            failure = e;
        }
        lock.lock();
        try {
            creating--;
            if (failure != null) {
                lastFailure = failure;
                lastFailureAt = nanoTime.getAsLong();
                LOG.log(Level.WARNING, "task ''{0}'': creating a context failed: {1}", new Object[] {name, failure.toString()});
            } else if (closed) {
                closeQuietly(context);
            } else {
                lastFailure = null;
                live++;
                idle.addLast(context);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void release(C context, boolean evicted) {
        boolean destroy;
        lock.lock();
        try {
            leased--;
            destroy = evicted || closed;
            if (destroy) {
                live--;
                growLocked();
            } else {
                idle.addFirst(context); // most recently used first: its code and caches are hottest
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (destroy) {
            closeQuietly(context);
        }
    }

    /** Current counts, for logs and metrics. */
    public PoolStats stats() {
        lock.lock();
        try {
            return new PoolStats(live, idle.size(), leased, creating);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no context is leased or being created; false when the timeout passed first. */
    public boolean awaitQuiet(Duration timeout) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        lock.lock();
        try {
            while (leased > 0 || creating > 0) {
                long remaining = deadline - nanoTime.getAsLong();
                if (remaining <= 0) {
                    return false;
                }
                changed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops leasing; idle contexts close now, leased ones when their work returns. */
    @Override
    public void close() {
        List<C> toClose;
        lock.lock();
        try {
            closed = true;
            toClose = new ArrayList<>(idle);
            live -= idle.size();
            idle.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        toClose.forEach(this::closeQuietly);
    }

    private void closeQuietly(C context) {
        try {
            context.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "task ''{0}'': closing a context failed: {1}", new Object[] {name, e});
        }
    }

    /** Counts of a pool's contexts at one instant. */
    public record PoolStats(int live, int idle, int leased, int creating) {}

    /** Exclusive use of one context for the duration of {@link ContextPool#execute}. */
    public static final class Lease<C> {
        private final C context;
        private boolean evicted;

        Lease(C context) {
            this.context = context;
        }

        public C context() {
            return context;
        }

        /** Marks the context broken: it is closed instead of returning to the pool. */
        public void evict() {
            evicted = true;
        }

        boolean isEvicted() {
            return evicted;
        }
    }
}

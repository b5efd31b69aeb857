package dev.metropolis.runner;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Stops the call that is filling the heap before the heap is full. GraalVM CE has no per-context
 * heap limit and every task shares the host's heap, so after each garbage collection that leaves
 * the heap {@link #FULL} or more in use, the guard cancels the running call that has allocated the
 * most since it started (guest code allocates on the thread that runs it), if that is at least
 * {@link #LEAST_SHARE} of the heap: its context, and all it holds, is dropped, and the other tasks
 * go on. A call that allocates little is never the one stopped.
 *
 * <p>{@link #afterCollection(long)} is the pure step, with the heap in use passed in and the
 * threads' allocation counters injected.
 */
public final class MemoryGuard {
    private static final Logger LOG = Logger.getLogger(MemoryGuard.class.getName());
    /** Heap in use after a collection, as a share of the maximum, from which the guard acts. */
    static final double FULL = 0.75;
    /** The least a call must have allocated since it started, as a share of the maximum heap, to be stopped. */
    static final double LEAST_SHARE = 0.10;

    /** Bytes allocated so far by threads, by their ids (HotSpot's per-thread counters). */
    interface Allocations {
        /** Bytes the calling thread has allocated since it started. */
        long current();

        /** Bytes the thread has allocated since it started, or -1 when it is gone. */
        long of(long threadId);
    }

    /** A call being watched: the thread it runs on and what that thread had allocated when it started. */
    private record Tracked(long threadId, long allocatedAtStart) {}

    private final Map<GuardedCall, Tracked> running = new ConcurrentHashMap<>();
    private final Allocations allocations;
    private final long maxHeap;
    private final Executor stopper;
    private final boolean enabled;
    private final AtomicLong stopped = new AtomicLong();

    /**
     * @param maxHeap the heap's maximum, in bytes
     * @param stopper where a chosen call's context is cancelled (cancelling can wait for the guest)
     */
    MemoryGuard(Allocations allocations, long maxHeap, Executor stopper) {
        this(allocations, maxHeap, stopper, true);
    }

    private MemoryGuard(Allocations allocations, long maxHeap, Executor stopper, boolean enabled) {
        this.allocations = allocations;
        this.maxHeap = maxHeap;
        this.stopper = stopper;
        this.enabled = enabled;
    }

    /** A guard that watches nothing (tests of other parts, and JVMs without allocation counters). */
    static MemoryGuard off() {
        return new MemoryGuard(null, Long.MAX_VALUE, Runnable::run, false);
    }

    /**
     * The guard of this JVM's heap, told of every collection by the JVM's collectors; off when the
     * JVM cannot count allocations per thread.
     */
    static MemoryGuard forThisJvm(Executor stopper) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            LOG.warning("this JVM counts no allocations per thread: a task filling the heap cannot be told apart");
            return off();
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        MemoryGuard guard = new MemoryGuard(new Allocations() {
            @Override
            public long current() {
                return threads.getCurrentThreadAllocatedBytes();
            }

            @Override
            public long of(long threadId) {
                return threads.getThreadAllocatedBytes(threadId);
            }
        }, Runtime.getRuntime().maxMemory(), stopper);
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        NotificationListener listener = (notification, handback) -> {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                Map<String, MemoryUsage> after = GarbageCollectionNotificationInfo
                        .from((CompositeData) notification.getUserData()).getGcInfo().getMemoryUsageAfterGc();
                guard.afterCollection(after.entrySet().stream().filter(pool -> heapPools.contains(pool.getKey()))
                        .mapToLong(pool -> pool.getValue().getUsed()).sum());
            }
        };
        ManagementFactory.getGarbageCollectorMXBeans().forEach(collector -> {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
            }
        });
        return guard;
    }

    /** Starts watching a call; called on the thread that runs it, as it starts. */
    void track(GuardedCall call) {
        if (enabled) {
            running.put(call, new Tracked(Thread.currentThread().threadId(), allocations.current()));
        }
    }

    /** Stops watching a call that returned. */
    void untrack(GuardedCall call) {
        if (enabled) {
            running.remove(call);
        }
    }

    /**
     * After a collection left {@code heapUsed} bytes in use: when that is {@link #FULL} of the heap
     * or more, stops the call that allocated the most since it started, if it allocated enough;
     * returns that call, or null.
     */
    GuardedCall afterCollection(long heapUsed) {
        if (!enabled || heapUsed < FULL * maxHeap) {
            return null;
        }
        GuardedCall worst = null;
        long most = (long) (LEAST_SHARE * maxHeap) - 1;
        for (Map.Entry<GuardedCall, Tracked> entry : running.entrySet()) {
            long now = allocations.of(entry.getValue().threadId());
            long allocated = now - entry.getValue().allocatedAtStart();
            if (now >= 0 && allocated > most) {
                most = allocated;
                worst = entry.getKey();
            }
        }
        if (worst == null || running.remove(worst) == null) {
            return null;
        }
        stopped.incrementAndGet();
        LOG.log(Level.WARNING, "the heap is {0}% full after a collection: stopping the call of task ''{1}'' that allocated"
                + " {2} MiB since it started", new Object[] {Math.round(100.0 * heapUsed / maxHeap), worst.task(), most >> 20});
        GuardedCall chosen = worst;
        long allocated = most;
        try {
            stopper.execute(() -> chosen.exhaustMemory(allocated));
        } catch (RejectedExecutionException e) {
            // closing: the host is stopping and cancels every context anyway
        }
        return chosen;
    }

    /** Calls stopped for filling the heap since the host started. */
    long stopped() {
        return stopped.get();
    }

    /** Calls watched now (for tests). */
    int watching() {
        return running.size();
    }
}

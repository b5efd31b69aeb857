package dev.metropolis.serve;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The flow control of one streamed reply: chunk {@code n} may go out only once the caller has
 * acknowledged chunk {@code n - window}; the caller may also cancel. Acknowledgements arrive on a
 * NATS dispatcher thread, the worker waits here.
 */
final class FlowWindow {
    /** What the worker may do next. */
    enum Clearance { SEND, CANCELLED, FULL }

    private final int window;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private long acknowledged;
    private boolean cancelled;

    /** @param window chunks sent beyond the last acknowledged one, at least 1 */
    FlowWindow(int window, LongSupplier nanoTime) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        this.window = window;
        this.nanoTime = nanoTime;
    }

    int window() {
        return window;
    }

    /** The caller has processed every chunk up to {@code sequence}; older or repeated acknowledgements change nothing. */
    void acknowledge(long sequence) {
        lock.lock();
        try {
            if (sequence > acknowledged) {
                acknowledged = sequence;
                moved.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The caller wants no more chunks (it said so, or it is gone). */
    void cancel() {
        lock.lock();
        try {
            cancelled = true;
            moved.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean cancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    long acknowledged() {
        lock.lock();
        try {
            return acknowledged;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until chunk {@code sequence} is inside the window, the caller cancels, or {@code deadline}
     * (on the injected clock) passes.
     */
    Clearance await(long sequence, long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!cancelled && sequence > acknowledged + window) {
                long left = deadline - nanoTime.getAsLong();
                if (left <= 0) {
                    return Clearance.FULL;
                }
                moved.await(left, TimeUnit.NANOSECONDS);
            }
            return cancelled ? Clearance.CANCELLED : Clearance.SEND;
        } finally {
            lock.unlock();
        }
    }
}

package dev.metropolis.runner;

import dev.metropolis.guest.GuestContext;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The race between a guest call finishing and its timeout firing, settled under one lock so an
 * interrupt can never hit the next message on the same context.
 */
final class GuardedCall {
    private static final Logger LOG = Logger.getLogger(GuardedCall.class.getName());

    private enum State { RUNNING, INTERRUPTING, FINISHED }

    /** What a timeout does to the guest running the call (a {@link GuestContext} in the host). */
    interface Guest {
        /** Interrupts the running guest code, waiting up to {@code grace} for it to stop. */
        void interrupt(Duration grace) throws TimeoutException;

        /** Cancels the context for good: it must not be reused. */
        void cancel();
    }

    private final String task;
    private final Guest guest;
    private final Duration grace;
    private State state = State.RUNNING;
    private boolean timedOut;
    private boolean cancelled;
    private boolean stopped;
    /** Bytes the call had allocated when the memory guard stopped it; 0 when it did not. */
    private long exhausted;

    /** A call of {@code task} running on {@code guest}; an interrupt gets {@code grace} before the guest is cancelled. */
    GuardedCall(String task, Guest guest, Duration grace) {
        this.task = task;
        this.guest = guest;
        this.grace = grace;
    }

    /** A call running on a guest context. */
    static GuardedCall on(GuestContext context, Duration grace) {
        return new GuardedCall(context.script().name(), new Guest() {
            @Override
            public void interrupt(Duration grace) throws TimeoutException {
                context.interrupt(grace);
            }

            @Override
            public void cancel() {
                context.cancel();
            }
        }, grace);
    }

    /** Called by the watchdog at the deadline: interrupts the guest, cancels it if it does not stop. */
    void timeOut() {
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.INTERRUPTING;
            timedOut = true;
        }
        boolean cancel = false;
        try {
            guest.interrupt(grace);
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "task ''{0}'' ignored an interrupt for {1}; cancelling its context",
                    new Object[] {task, grace});
            cancel = true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "interrupting task '" + task + "' failed; cancelling its context", e);
            cancel = true;
        }
        if (cancel) {
            guest.cancel();
        }
        synchronized (this) {
            cancelled = cancel;
            state = State.FINISHED;
            notifyAll();
        }
    }

    /**
     * Called when the runner closes past its drain timeout: cancels the guest at once (a stuck call
     * must not hold a shutdown), unless the call has already finished or is being timed out.
     */
    void stop() {
        cancelAtOnce(() -> stopped = true);
    }

    /**
     * Called by the memory guard when this call is filling the heap: cancels its context at once,
     * so everything it holds can be collected, unless the call has already finished or is being timed out.
     *
     * @param allocated bytes the call had allocated since it started
     */
    void exhaustMemory(long allocated) {
        cancelAtOnce(() -> exhausted = Math.max(1, allocated));
    }

    /** Cancels the guest now unless the call has finished or is being timed out; {@code mark} runs under the lock first. */
    private void cancelAtOnce(Runnable mark) {
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.INTERRUPTING;
            mark.run();
        }
        try {
            guest.cancel();
        } finally {
            synchronized (this) {
                cancelled = true;
                state = State.FINISHED;
                notifyAll();
            }
        }
    }

    /** Bytes allocated by the call when the memory guard stopped it, 0 when it did not (valid after {@link #finish()}). */
    synchronized long exhausted() {
        return exhausted;
    }

    /** The task whose call this is. */
    String task() {
        return task;
    }

    /** True when {@link #stop()} cancelled the call (valid after {@link #finish()}). */
    synchronized boolean stopped() {
        return stopped;
    }

    /** Called by the worker once the guest call returned or threw; waits for an interrupt in flight. */
    synchronized void finish() {
        boolean interrupted = false;
        while (state == State.INTERRUPTING) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        state = State.FINISHED;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when the watchdog fired (valid after {@link #finish()}). */
    synchronized boolean timedOut() {
        return timedOut;
    }

    /** True when the context had to be cancelled and must not be reused (valid after {@link #finish()}). */
    synchronized boolean cancelled() {
        return cancelled;
    }
}

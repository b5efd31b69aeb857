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

    private final GuestContext context;
    private final Duration grace;
    private State state = State.RUNNING;
    private boolean timedOut;
    private boolean cancelled;

    GuardedCall(GuestContext context, Duration grace) {
        this.context = context;
        this.grace = grace;
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
            context.interrupt(grace);
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "task ''{0}'' ignored an interrupt for {1}; cancelling its context",
                    new Object[] {context.script().name(), grace});
            cancel = true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "interrupting task '" + context.script().name() + "' failed; cancelling its context", e);
            cancel = true;
        }
        if (cancel) {
            context.cancel();
        }
        synchronized (this) {
            cancelled = cancel;
            state = State.FINISHED;
            notifyAll();
        }
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

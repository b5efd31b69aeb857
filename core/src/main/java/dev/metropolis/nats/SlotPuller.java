package dev.metropolis.nats;

import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pull loop of a JetStream consumer worked by a bounded number of handlers (the host's stream
 * tasks, the gateway's jobs): it fetches as many messages as there are free slots, so nothing is
 * pulled that no handler could take before its ack deadline.
 */
public final class SlotPuller {
    private static final Logger LOG = Logger.getLogger(SlotPuller.class.getName());

    private SlotPuller() {}

    /**
     * Pulls until {@code stopping} says so. Each message is handed to {@code handle} with a slot
     * taken; the handler releases it when it is done with the message (settled, answered).
     *
     * @param what      names the consumer in log lines
     * @param fetchWait the longest a fetch waits for messages, and the pause after a failed fetch
     */
    public static void pull(String what, JetStreamSubscription subscription, Semaphore slots, Duration fetchWait,
            BooleanSupplier stopping, Consumer<Message> handle) {
        while (!stopping.getAsBoolean()) {
            try {
                slots.acquire();
                int wanted = 1 + slots.drainPermits();
                List<Message> batch;
                try {
                    batch = subscription.fetch(wanted, fetchWait);
                } finally {
                    slots.release(wanted);
                }
                for (Message message : batch) {
                    slots.acquireUninterruptibly(); // released by the handler
                    handle.accept(message);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (stopping.getAsBoolean()) {
                    return;
                }
                // The connection is down or closing: pulls resume once it is back. A pause, not a wait on
                // an event: jnats reports the reconnect to the connection's listener, which the puller does not own.
                LOG.log(Level.FINE, "{0}: pull failed, retrying: {1}", new Object[] {what, e.toString()});
                LockSupport.parkNanos(fetchWait.toNanos());
            }
        }
    }
}

package dev.metropolis.gateway;

import dev.metropolis.task.HostEvent;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hosts' events ({@code metropolis.events.>}) as the console's pages hear them: each page
 * listens with a queue of its own and starts with the last {@link #KEPT} events, numbered so a
 * page that reconnects can skip what it has already shown.
 */
final class ConsoleEvents implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConsoleEvents.class.getName());
    /** Events a page that opens now is shown first. */
    static final int KEPT = 50;
    /** Events waiting for a slow page before it is dropped as gone. */
    private static final int QUEUED = 1_000;

    /** An event with its number in this gateway's stream. */
    record Numbered(long id, HostEvent event) {}

    private final Deque<Numbered> recent = new ArrayDeque<>();
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicBoolean warnedUnreadable = new AtomicBoolean();
    private volatile boolean closed;
    private Dispatcher dispatcher;

    /** Starts hearing events on {@code nats}. */
    synchronized void start(Connection nats) {
        dispatcher = nats.createDispatcher(this::onMessage);
        dispatcher.subscribe(HostEvent.ALL_HOSTS);
    }

    /** One page's events: the recent ones it starts with, then each new one. */
    final class Listener implements AutoCloseable {
        private final BlockingQueue<Optional<Numbered>> queue = new LinkedBlockingQueue<>(QUEUED);
        private final List<Numbered> backlog;

        private Listener(List<Numbered> backlog) {
            this.backlog = backlog;
        }

        /** The events from before this page listened, oldest first. */
        List<Numbered> backlog() {
            return backlog;
        }

        /** The next event, or empty after {@code wait} without one; null once the gateway closes or the page fell behind. */
        Optional<Numbered> next(Duration wait) throws InterruptedException {
            Optional<Numbered> next = queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (next == null) {
                return closed ? null : Optional.empty();
            }
            return next.isEmpty() ? null : next;
        }

        private void offer(Numbered event) {
            if (!queue.offer(Optional.of(event))) {
                LOG.log(Level.FINE, "a console page fell {0} events behind; its stream is ended", QUEUED);
                end();
            }
        }

        private void end() {
            listeners.remove(this);
            queue.clear();
            queue.offer(Optional.empty());
        }

        @Override
        public void close() {
            listeners.remove(this);
        }
    }

    /** A new listener; close it when its page leaves. */
    Listener listen() {
        synchronized (recent) {
            Listener listener = new Listener(List.copyOf(recent));
            listeners.add(listener);
            if (closed) {
                listener.end();
            }
            return listener;
        }
    }

    private void onMessage(Message message) {
        HostEvent event;
        try {
            event = HostEvent.fromJson(message.getData());
        } catch (IOException e) {
            String text = new String(message.getData(), StandardCharsets.UTF_8);
            LOG.log(warnedUnreadable.compareAndSet(false, true) ? Level.WARNING : Level.FINE,
                    "an unreadable event on {0} was skipped ({1}): {2}", new Object[] {message.getSubject(),
                        e.getMessage(), text.length() > 120 ? text.substring(0, 120) + "..." : text});
            return;
        }
        synchronized (recent) {
            Numbered numbered = new Numbered(sequence.incrementAndGet(), event);
            recent.addLast(numbered);
            if (recent.size() > KEPT) {
                recent.removeFirst();
            }
            listeners.forEach(listener -> listener.offer(numbered));
        }
    }

    /** Ends every page's stream (before the server stops, so none holds up its shutdown). */
    @Override
    public void close() {
        synchronized (recent) {
            closed = true;
            List.copyOf(listeners).forEach(Listener::end);
        }
        synchronized (this) {
            if (dispatcher != null && dispatcher.isActive()) {
                try {
                    dispatcher.unsubscribe(HostEvent.ALL_HOSTS);
                } catch (IllegalStateException e) {
                    LOG.log(Level.FINE, "the connection closed before the events subscription: {0}", e.getMessage());
                }
            }
        }
    }
}

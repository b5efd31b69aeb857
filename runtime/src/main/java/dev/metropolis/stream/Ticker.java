package dev.metropolis.stream;

import dev.metropolis.task.WireHeaders;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes a schedule's ticks into the ticks stream from every host. Each tick carries a
 * {@code Nats-Msg-Id} made of the task and the tick's time, so the stream keeps one message per
 * tick however many hosts publish it, and the task's shared consumer runs it once.
 */
final class Ticker {
    private static final Logger LOG = Logger.getLogger(Ticker.class.getName());

    private final JetStream js;
    private final String subject;
    private final String task;
    private final TickSchedule schedule;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Executor publisher;
    private volatile boolean stopped;
    private ScheduledFuture<?> next;

    Ticker(JetStream js, String subject, String task, TickSchedule schedule, Clock clock, ScheduledExecutorService timer,
            Executor publisher) {
        this.js = js;
        this.subject = subject;
        this.task = task;
        this.schedule = schedule;
        this.clock = clock;
        this.timer = timer;
        this.publisher = publisher;
    }

    /** Starts with the first tick after now: ticks that fell while no host ran are skipped. */
    void start() {
        scheduleAfter(clock.instant());
    }

    void stop() {
        stopped = true;
        synchronized (this) {
            if (next != null) {
                next.cancel(false);
            }
        }
    }

    private synchronized void scheduleAfter(Instant after) {
        if (stopped) {
            return;
        }
        Instant tick = schedule.nextAfter(after);
        long delay = Math.max(0, Duration.between(clock.instant(), tick).toMillis());
        next = timer.schedule(() -> fire(tick), delay, TimeUnit.MILLISECONDS);
    }

    private void fire(Instant tick) {
        if (stopped) {
            return;
        }
        publisher.execute(() -> publish(tick));
        scheduleAfter(tick);
    }

    /** The message id of a tick: the same on every host, so the stream stores the tick once. */
    static String messageId(String task, Instant tick) {
        return "tick:" + task + ":" + tick.toEpochMilli();
    }

    private void publish(Instant tick) {
        Headers headers = new Headers();
        headers.put(WireHeaders.MSG_ID, messageId(task, tick));
        headers.put(WireHeaders.TICK, tick.toString());
        try {
            js.publish(subject, headers, new byte[0]);
        } catch (IOException | JetStreamApiException e) {
            // Another host's copy of the tick may have been stored; if none was, this tick is skipped.
            LOG.log(Level.WARNING, task + ": could not publish the tick of " + tick + ": " + e);
        }
    }
}

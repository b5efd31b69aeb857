package dev.metropolis.gateway;

import dev.metropolis.nats.ServiceDiscovery;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Keeps the route table current by asking NATS service discovery ({@code $SRV.INFO}) on a fixed
 * period, so routes appear and disappear as hosts come and go. Logs what changed.
 */
final class RouteDiscovery implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouteDiscovery.class.getName());
    /** Most services one discovery round collects; far above any realistic deployment. */
    private static final int MAX_RESULTS = 10_000;
    /**
     * Rounds a route may go unanswered before it is dropped: a busy host can answer $SRV.INFO
     * after the window closes, and one late answer must not make its routes 404.
     */
    static final int MISSES_BEFORE_REMOVAL = 3;

    private final Supplier<Connection> nats;
    private final Duration window;
    private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.empty());
    private final RouteMemory memory = new RouteMemory(MISSES_BEFORE_REMOVAL);
    /** The unreadable answers of the last round: each is logged when it first appears, not every round. */
    private Set<String> unreadable = Set.of();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon(true).name("route-discovery").factory());

    /**
     * @param nats   the connection to ask on (null while not yet connected)
     * @param window how long each round waits for answers
     */
    RouteDiscovery(Supplier<Connection> nats, Duration window) {
        this.nats = nats;
        this.window = window;
    }

    /** Refreshes now and then every {@code period}. */
    void start(Duration period) {
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    RouteTable current() {
        return table.get();
    }

    /** One discovery round; returns the new table. */
    RouteTable refresh() {
        Connection connection = nats.get();
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            return table.get(); // keep the last known routes through an outage
        }
        ServiceDiscovery.Answers answers;
        try {
            answers = ServiceDiscovery.info(connection, window, MAX_RESULTS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return table.get();
        }
        RouteTable answered = RouteTable.fromDiscovery(answers.services());
        RouteTable fresh;
        synchronized (memory) {
            fresh = memory.merge(answered);
            reportNew(answers.unreadable());
        }
        RouteTable previous = table.getAndSet(fresh);
        logChanges(previous, fresh);
        return fresh;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "route discovery failed; keeping the last known routes: {0}", e.toString());
        }
    }

    private void reportNew(List<String> problems) {
        Set<String> now = new HashSet<>(problems);
        now.stream().filter(problem -> !unreadable.contains(problem)).sorted().forEach(problem -> LOG.log(Level.WARNING,
                "a service answered $SRV.INFO with something unreadable, skipped (its routes, if any, are not served): {0}",
                problem));
        unreadable = now;
    }

    private static void logChanges(RouteTable before, RouteTable after) {
        Set<String> old = before.routes().stream().map(RouteDiscovery::describe).collect(Collectors.toSet());
        Set<String> now = after.routes().stream().map(RouteDiscovery::describe).collect(Collectors.toSet());
        now.stream().filter(route -> !old.contains(route)).sorted()
                .forEach(route -> LOG.log(Level.INFO, "route added: {0}", route));
        old.stream().filter(route -> !now.contains(route)).sorted()
                .forEach(route -> LOG.log(Level.INFO, "route removed: {0}", route));
    }

    private static String describe(TaskRoute route) {
        return route.display() + " -> " + route.subject() + " (task " + route.task() + ", " + route.language() + ")";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

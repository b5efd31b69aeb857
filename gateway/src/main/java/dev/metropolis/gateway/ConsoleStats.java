package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.ServiceDiscovery;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /console/api/stats}: every task's request rate, error rate, p50/p99 latency, hosts
 * and last errors over the last seconds, asked of the hosts with {@code $SRV.STATS}. One round
 * serves every page for {@link #FRESH}, so many open consoles cost the hosts one round a second.
 */
final class ConsoleStats implements Handler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long one round's answer is shown before the hosts are asked again. */
    static final Duration FRESH = Duration.ofSeconds(1);
    private static final int MAX_SERVICES = 10_000;

    private final Supplier<Connection> nats;
    private final Duration window;
    private final LongSupplier nanoTime;
    private byte[] last;
    private long lastAt;

    /**
     * @param nats     the gateway's connection, null while not connected
     * @param window   how long a round waits for the hosts' answers
     * @param nanoTime the clock {@link #FRESH} is measured on
     */
    ConsoleStats(Supplier<Connection> nats, Duration window, LongSupplier nanoTime) {
        this.nats = nats;
        this.window = window;
        this.nanoTime = nanoTime;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) throws InterruptedException {
        Connection connection = nats.get();
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            TaskProxy.sendError(response, TaskError.of(ErrorKind.UNAVAILABLE,
                    "the gateway is not connected to NATS, so it cannot ask the hosts for their stats; try again shortly"),
                    null, null);
            return;
        }
        response.header(HeaderNames.CONTENT_TYPE, TaskReply.JSON).header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(current(connection));
    }

    private synchronized byte[] current(Connection connection) throws InterruptedException {
        long now = nanoTime.getAsLong();
        if (last == null || now - lastAt >= FRESH.toNanos()) {
            ServiceDiscovery.StatsAnswers answers = ServiceDiscovery.stats(connection, window, MAX_SERVICES);
            Map<String, Object> tasks = new LinkedHashMap<>();
            LiveStats.of(answers.services()).forEach((task, stats) -> tasks.put(task, stats.toMap()));
            try {
                last = JSON.writeValueAsBytes(Map.of("tasks", tasks));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            lastAt = nanoTime.getAsLong();
        }
        return last;
    }
}

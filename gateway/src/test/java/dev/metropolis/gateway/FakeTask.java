package dev.metropolis.gateway;

import dev.metropolis.nats.MicroService;
import dev.metropolis.task.TaskMetadata;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A task announced in NATS service discovery by plain jnats, as a host announces its scripts: the
 * gateway routes to it like to any task, and the test holds its messages and answers them when it
 * chooses. No GraalVM involved.
 */
final class FakeTask implements AutoCloseable {
    private final Connection connection;
    private final MicroService service;
    private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

    private FakeTask(Connection connection, String task, String subject, Duration timeout, Map<String, String> extra,
            boolean answer) {
        this(connection, task, subject, timeout, extra, Map.of(), answer);
    }

    private FakeTask(Connection connection, String task, String subject, Duration timeout, Map<String, String> extra,
            Map<String, String> endpointMetadata, boolean answer) {
        this.connection = connection;
        Map<String, String> metadata = new HashMap<>(Map.of(TaskMetadata.TASK, task, TaskMetadata.LANGUAGE, "js",
                TaskMetadata.SUBJECTS, subject, TaskMetadata.QUEUE, "workers",
                TaskMetadata.TIMEOUT_MS, Long.toString(timeout.toMillis())));
        metadata.putAll(extra);
        this.service = new MicroService(connection, MicroService.serviceName(task), "1.0.0", "a test's stand-in", metadata,
                List.of(new MicroService.Endpoint(MicroService.endpointName(subject), subject, "workers", endpointMetadata,
                        (message, endpoint) -> {
                            received.add(message);
                            if (answer) {
                                reply(message, "ok");
                            }
                        })));
    }

    /** Announces {@code task} on {@code subject} and returns once the server has its subscriptions. */
    static FakeTask start(TestNats nats, String task, String subject, Duration timeout) throws Exception {
        return start(new FakeTask(nats.connect(), task, subject, timeout, Map.of(), false));
    }

    /**
     * A task that answers every message "ok" at once (and still keeps them for {@link #next}), with
     * {@code metadata} added to what it announces (e.g. its {@code metropolis.auth} policy).
     */
    static FakeTask answering(TestNats nats, String task, String subject, Map<String, String> metadata) throws Exception {
        return start(new FakeTask(nats.connect(), task, subject, Duration.ofSeconds(5), metadata, true));
    }

    /** An answering task whose endpoint announces {@code endpointMetadata} too (its schemas, as a host's do). */
    static FakeTask answering(TestNats nats, String task, String subject, Map<String, String> metadata,
            Map<String, String> endpointMetadata) throws Exception {
        return start(new FakeTask(nats.connect(), task, subject, Duration.ofSeconds(5), metadata, endpointMetadata, true));
    }

    private static FakeTask start(FakeTask fake) throws Exception {
        fake.service.start();
        fake.connection.flush(Duration.ofSeconds(5));
        return fake;
    }

    /** The next message the task received; fails when none came within {@code timeout}. */
    Message next(Duration timeout) throws InterruptedException {
        Message message = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("the task received no message within " + timeout);
        }
        return message;
    }

    /** Answers {@code message} with {@code body} and no headers (a success). */
    void reply(Message message, String body) {
        connection.publish(message.getReplyTo(), body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws InterruptedException {
        service.stop(false, Duration.ofSeconds(1));
        connection.close();
    }
}

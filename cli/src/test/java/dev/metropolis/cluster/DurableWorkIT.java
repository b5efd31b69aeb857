package dev.metropolis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable work against real processes: nats-server with JetStream on file storage, hosts as OS
 * processes. The task reports each run into a stream of its own (HANDLED), so the test counts
 * what was handled even across an outage; it counts, it does not time.
 */
@Timeout(240)
class DurableWorkIT {
    private static final Path LOGS = Path.of("target", "durable-test").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<HostProcess> hosts = new ArrayList<>();
    private TestNats nats;
    private Connection client;
    private JetStream js;

    @BeforeEach
    void start(@TempDir Path scripts) throws Exception {
        // The first delivery of a "slow" job takes 3 s, longer than the test needs to kill its host.
        Files.writeString(scripts.resolve("jobs.py"), """
                # /// metropolis
                # stream = "JOBS"
                # subject = "jobs.run"
                # timeout = "4s"
                # concurrency = 2
                # max_deliver = 5
                # backoff = ["200ms"]
                # [allow]
                # subjects = ["handled.*"]
                # ///
                import time
                import metropolis

                def handle(body, msg):
                    report = {"id": body["id"], "deliveries": msg.deliveries, "seq": msg.stream_sequence}
                    metropolis.publish("handled.started", report)
                    if body.get("slow") and msg.deliveries == 1:
                        time.sleep(3)
                    metropolis.publish("handled.done", report)
                """);
        this.scripts = scripts;
        nats = TestNats.start();
        client = nats.connect();
        client.jetStreamManagement().addStream(StreamConfiguration.builder().name("HANDLED").subjects("handled.*")
                .storageType(StorageType.File).build());
        js = client.jetStream();
    }

    private Path scripts;

    @AfterEach
    void stop() throws Exception {
        for (HostProcess host : hosts) {
            host.close();
        }
        if (client != null) {
            client.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    private HostProcess host(String name) throws Exception {
        HostProcess host = HostProcess.start(name, scripts, nats.url(), Duration.ofSeconds(5), LOGS);
        hosts.add(host);
        return host.awaitReady(Duration.ofSeconds(120));
    }

    /** Every report in HANDLED on {@code subject}, read from the start of the stream. */
    private List<JsonNode> reports(String subject) throws Exception {
        JetStreamSubscription sub = js.subscribe(subject, PullSubscribeOptions.builder().build());
        try {
            List<JsonNode> all = new ArrayList<>();
            List<Message> batch;
            while (!(batch = sub.fetch(500, Duration.ofMillis(300))).isEmpty()) {
                for (Message message : batch) {
                    all.add(JSON.readTree(message.getData()));
                    message.ack();
                }
            }
            return all;
        } finally {
            sub.unsubscribe();
        }
    }

    private static Map<Integer, Long> countById(List<JsonNode> reports) {
        return reports.stream().collect(Collectors.groupingBy(r -> r.path("id").asInt(), Collectors.counting()));
    }

    @Test
    void aJobWhoseHostIsKilledIsRedeliveredAndCompletedByAnotherHost() throws Exception {
        HostProcess first = host("host-killed");
        int jobs = 6;
        for (int id = 0; id < jobs; id++) {
            js.publish("jobs.run", ("{\"id\": " + id + (id < 2 ? ", \"slow\": true" : "") + "}").getBytes(StandardCharsets.UTF_8));
        }
        Await.until(Duration.ofSeconds(60), "both slow jobs to start on the first host",
                () -> reports("handled.started").stream().filter(r -> r.path("id").asInt() < 2).count() >= 2);
        first.kill();
        host("host-survivor");
        Await.until(Duration.ofSeconds(90), "every job done", () -> countById(reports("handled.done")).size() == jobs);
        List<JsonNode> done = reports("handled.done");
        Map<Integer, Long> doneById = countById(done);
        System.out.printf("SIGKILL: sent %d, done %d distinct, %d done reports; slow jobs' deliveries when done: %s%n", jobs,
                doneById.size(), done.size(), done.stream().filter(r -> r.path("id").asInt() < 2)
                        .map(r -> r.path("deliveries").asInt()).toList());
        assertThat(doneById.values()).as("each job done once").allMatch(count -> count == 1);
        assertThat(done.stream().filter(r -> r.path("id").asInt() < 2).map(r -> r.path("deliveries").asInt()))
                .as("the killed jobs were redelivered").containsOnly(2);
    }

    @Test
    void everyMessageAcknowledgedByTheServerIsHandledAcrossARestart() throws Exception {
        host("host-steady");
        int total = 300;
        int acked = 0;
        int retried = 0;
        for (int id = 0; id < total; id++) {
            if (id == total / 2) {
                nats.restart(); // same port, same store: the stream and the consumer survive
            }
            Headers headers = new Headers().put("Nats-Msg-Id", "job-" + id); // a retried publish is stored once
            byte[] body = ("{\"id\": " + id + "}").getBytes(StandardCharsets.UTF_8);
            while (true) {
                try {
                    js.publish("jobs.run", headers, body);
                    acked++;
                    break;
                } catch (java.io.IOException | io.nats.client.JetStreamApiException | IllegalStateException e) {
                    retried++; // the server is coming back: publish again until it acknowledges
                    Await.until(Duration.ofSeconds(30), "the client to reconnect",
                            () -> client.getStatus() == Connection.Status.CONNECTED);
                }
            }
        }
        int sent = acked;
        Await.until(Duration.ofSeconds(120), sent + " jobs handled", () -> countById(reports("handled.done")).size() == sent);
        Map<Integer, Long> doneById = countById(reports("handled.done"));
        long duplicated = doneById.values().stream().filter(count -> count > 1).count();
        System.out.printf("restart: sent %d, acked %d (%d publishes retried), handled %d, duplicated %d, lost %d%n", total, acked,
                retried, doneById.size(), duplicated, sent - doneById.size());
        assertThat(doneById.keySet()).hasSize(total);
    }
}

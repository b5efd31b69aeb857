package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.observe.ObserveAddress;
import dev.metropolis.stream.DeadLetters;
import dev.metropolis.stream.MissingStreams;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream-triggered and scheduled tasks on a real nats-server with JetStream, served by two real
 * hosts sharing each task's durable consumer. Each task reports what it saw on a core subject the
 * test listens to; the test counts those reports, never the time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class StreamTaskTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestNats server;
    private final List<Host> hosts = new ArrayList<>();
    private Connection nats;
    private JetStream js;
    /** Every report of every task, in arrival order. */
    private final List<JsonNode> reports = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        Files.writeString(scripts.resolve("orders.py"), """
                # /// metropolis
                # stream = "ORDERS"
                # subject = "orders.>"
                # durable = "billing"
                # timeout = "5s"
                # max_deliver = 3
                # backoff = ["50ms", "100ms"]
                # dead_letter = "dead.orders"
                # [allow]
                # subjects = ["seen"]
                # ///
                import metropolis

                def handle(body, msg):
                    metropolis.publish("seen", {"task": "py", "id": body["id"], "deliveries": msg.deliveries,
                                                "seq": msg.stream_sequence})
                    if body.get("fail") == "always":
                        raise ValueError("poison " + str(body["id"]))
                    if body.get("fail") == "permanent":
                        raise metropolis.TaskError("order %s is invalid" % body["id"], code=422)
                    if body.get("fail") == "once" and msg.deliveries == 1:
                        raise RuntimeError("transient")
                    metropolis.publish("seen", {"task": "py", "id": body["id"], "done": True})
                """);
        Files.writeString(scripts.resolve("audit.js"), """
                // /// metropolis
                // stream = "AUDIT"
                // subject = "audit.events"
                // [allow]
                // subjects = ["seen"]
                // ///
                export function handle(body, msg) {
                  metropolis.publish('seen', { task: 'js', id: body.id, deliveries: msg.deliveries, seq: msg.streamSequence, done: true });
                }
                """);
        Files.writeString(scripts.resolve("heartbeat.py"), """
                # /// metropolis
                # every = "1s"
                # [allow]
                # subjects = ["seen"]
                # ///
                import metropolis

                def handle(body, msg):
                    metropolis.publish("seen", {"task": "tick", "tick": msg.tick, "deliveries": msg.deliveries})
                """);
        Files.copy(TestSupport.EXAMPLES.resolve("durable/invoices.py"), scripts.resolve("invoices.py"));
        server = TestNats.start();
        nats = server.connect();
        Dispatcher dispatcher = nats.createDispatcher(message -> {
            try {
                reports.add(JSON.readTree(message.getData()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        dispatcher.subscribe("seen");
        nats.flush(Duration.ofSeconds(5));
        for (int i = 0; i < 2; i++) {
            hosts.add(Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(5), false,
                    ObserveAddress.NONE), TestSupport.ENGINES).start());
        }
        assertThat(hosts.getFirst().problems()).isEmpty();
        js = nats.jetStream();
    }

    @AfterAll
    void stop() throws Exception {
        hosts.forEach(Host::close);
        if (nats != null) {
            nats.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void publish(String subject, String json) throws Exception {
        js.publish(subject, json.getBytes(StandardCharsets.UTF_8));
    }

    private List<JsonNode> reportsOf(String task, int id) {
        return reports.stream().filter(r -> r.path("task").asText().equals(task) && r.path("id").asInt(-1) == id).toList();
    }

    @Test
    void everyMessageIsHandledOnceByOneOfTheHostsWithItsDeliveryCountAndSequence() throws Exception {
        int count = 40;
        for (int id = 1000; id < 1000 + count; id++) {
            publish("orders.created", "{\"id\": " + id + "}");
            publish("audit.events", "{\"id\": " + id + "}");
        }
        for (String task : List.of("py", "js")) {
            Await.until(Duration.ofSeconds(60), count + " " + task + " messages handled", () -> reports.stream()
                    .filter(r -> r.path("task").asText().equals(task) && r.path("done").asBoolean() && r.path("id").asInt() >= 1000
                            && r.path("id").asInt() < 1000 + count).count() >= count);
        }
        for (int id = 1000; id < 1000 + count; id++) {
            assertThat(reportsOf("js", id)).singleElement().satisfies(r -> {
                assertThat(r.path("deliveries").asInt()).isEqualTo(1);
                assertThat(r.path("seq").asLong()).isPositive();
            });
            assertThat(reportsOf("py", id).stream().filter(r -> r.has("seq")).toList()).singleElement()
                    .satisfies(r -> assertThat(r.path("deliveries").asInt()).isEqualTo(1));
        }
        // Work-queue retention: what was acked is gone from the stream.
        Await.until(Duration.ofSeconds(10), "the AUDIT stream to be empty",
                () -> nats.jetStreamManagement().getStreamInfo("AUDIT").getStreamState().getMsgCount() == 0);
    }

    @Test
    void theWorkedExampleIssuesAnInvoiceNumberedByItsStreamSequence() throws Exception {
        List<JsonNode> issued = new CopyOnWriteArrayList<>();
        Dispatcher dispatcher = nats.createDispatcher(message -> {
            try {
                issued.add(JSON.readTree(message.getData()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        dispatcher.subscribe("invoices.issued");
        nats.flush(Duration.ofSeconds(5));
        long sequence = js.publish("invoices.requested", "{\"customer\": \"ada\", \"amount\": 42}"
                .getBytes(StandardCharsets.UTF_8)).getSeqno();
        Await.until(Duration.ofSeconds(30), "the invoice", () -> !issued.isEmpty());
        assertThat(issued.getFirst().path("number").asLong()).isEqualTo(sequence);
        assertThat(issued.getFirst().path("customer").asText()).isEqualTo("ada");
        assertThat(issued.getFirst().path("attempt").asInt()).isEqualTo(1);
        nats.closeDispatcher(dispatcher);
    }

    @Test
    void aFailedMessageIsRedeliveredAndThenHandled() throws Exception {
        publish("orders.created", "{\"id\": 1, \"fail\": \"once\"}");
        Await.until(Duration.ofSeconds(30), "order 1 handled", () -> reportsOf("py", 1).stream().anyMatch(r -> r.has("done")));
        assertThat(reportsOf("py", 1).stream().filter(r -> r.has("deliveries")).map(r -> r.path("deliveries").asInt()))
                .containsExactly(1, 2);
    }

    @Test
    void aPoisonMessageIsDeliveredExactlyMaxDeliverTimesThenFoundOnTheDeadLetterSubjectWithItsFailure() throws Exception {
        publish("orders.created", "{\"id\": 2, \"fail\": \"always\"}");
        Message dead = nextDeadLetter(2);
        assertThat(reportsOf("py", 2).stream().map(r -> r.path("deliveries").asInt())).containsExactly(1, 2, 3);
        assertThat(dead.getHeaders().getFirst(DeadLetters.KIND)).isEqualTo("crashed");
        assertThat(dead.getHeaders().getFirst(DeadLetters.CODE)).isEqualTo("500");
        assertThat(dead.getHeaders().getFirst(DeadLetters.DELIVERIES)).isEqualTo("3");
        assertThat(dead.getHeaders().getFirst(DeadLetters.MESSAGE)).contains("poison 2");
        assertThat(dead.getHeaders().getFirst(DeadLetters.STREAM)).isEqualTo("ORDERS");
        assertThat(dead.getHeaders().getFirst(DeadLetters.SUBJECT)).isEqualTo("orders.created");
        assertThat(dead.getHeaders().getFirst(DeadLetters.TASK)).isEqualTo("orders");
        assertThat(new String(dead.getData(), StandardCharsets.UTF_8)).isEqualTo("{\"id\": 2, \"fail\": \"always\"}");
        // No fourth delivery follows the dead letter: the original is terminated (just after the letter is stored).
        Await.until(Duration.ofSeconds(10), "the poison message to be settled",
                () -> nats.jetStreamManagement().getConsumerInfo("ORDERS", "billing").getNumAckPending() == 0);
        assertThat(reportsOf("py", 2)).hasSize(3);
    }

    @Test
    void aTaskErrorWithA4xxCodeIsNotRetried() throws Exception {
        publish("orders.created", "{\"id\": 3, \"fail\": \"permanent\"}");
        Message dead = nextDeadLetter(3);
        assertThat(reportsOf("py", 3)).hasSize(1);
        assertThat(dead.getHeaders().getFirst(DeadLetters.KIND)).isEqualTo("rejected");
        assertThat(dead.getHeaders().getFirst(DeadLetters.CODE)).isEqualTo("422");
        assertThat(dead.getHeaders().getFirst(DeadLetters.DELIVERIES)).isEqualTo("1");
    }

    /** Reads the dead-letter stream the host created (ORDERS_DEAD, on dead.orders) until the letter of order {@code id} comes. */
    private Message nextDeadLetter(int id) throws Exception {
        JetStreamSubscription letters = js.subscribe("dead.orders", PullSubscribeOptions.builder().build());
        try {
            return Await.value(Duration.ofSeconds(30), "the dead letter of order " + id, () -> {
                for (Message message : letters.fetch(10, Duration.ofMillis(200))) {
                    message.ack();
                    if (JSON.readTree(message.getData()).path("id").asInt() == id) {
                        return message;
                    }
                }
                return null;
            }, message -> true);
        } finally {
            letters.unsubscribe();
        }
    }

    @Test
    void aScheduleRunsEachTickOnceAcrossTwoHosts() {
        int ticks = 4;
        Await.until(Duration.ofSeconds(30), ticks + " ticks after the first", () -> tickTimes().size() >= ticks + 1);
        Map<String, Long> runsPerTick = reports.stream().filter(r -> r.path("task").asText().equals("tick"))
                .collect(Collectors.groupingBy(r -> r.path("tick").asText(), ConcurrentHashMap::new, Collectors.counting()));
        assertThat(runsPerTick.values()).as("runs per tick: %s", runsPerTick).allMatch(runs -> runs == 1);
        assertThat(tickTimes()).allSatisfy(tick -> assertThat(java.time.Instant.parse(tick).toEpochMilli() % 1000).isZero());
    }

    private List<String> tickTimes() {
        return reports.stream().filter(r -> r.path("task").asText().equals("tick")).map(r -> r.path("tick").asText())
                .distinct().toList();
    }

    @Test
    void aHostThatRefusesMissingStreamsReportsTheTaskAtItsFile(@TempDir Path other) throws Exception {
        Files.writeString(other.resolve("lonely.py"), """
                # /// metropolis
                # stream = "NOT_THERE"
                # subject = "lonely.work"
                # ///
                def handle(body, msg):
                    return None
                """);
        try (Host refusing = Host.builder(new HostConfig(other, server.settings(), Duration.ofSeconds(1), false,
                ObserveAddress.NONE).withMissingStreams(MissingStreams.REFUSE), TestSupport.ENGINES).start()) {
            assertThat(refusing.served()).isEmpty();
            assertThat(refusing.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.getMessage()).contains("lonely.py:1").contains("stream 'NOT_THERE'")
                        .contains("--missing-streams create");
            });
        }
    }
}

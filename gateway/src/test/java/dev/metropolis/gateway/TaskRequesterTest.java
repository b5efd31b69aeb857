package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.metrics.Registries;
import dev.metropolis.nats.Replies;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Tag;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** TaskRequester against a real nats-server, with plain jnats responders standing in for hosts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class TaskRequesterTest {
    private final GatewayMetrics metrics = new GatewayMetrics(Registries.global());
    private TestNats nats;
    private Connection gateway;
    private Connection responders;

    @BeforeAll
    void start() throws Exception {
        nats = TestNats.start();
        gateway = nats.connect();
        responders = nats.connect();
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(gateway, responders, nats);
    }

    /** A default route on {@code subject} whose task has {@code timeout}. */
    private static RouteTable.Match match(String subject, Duration timeout) {
        TaskRoute route = new TaskRoute(subject.replace('.', '-'), "js", "1.0.0", "", "workers", subject, null,
                List.of(subject.split("\\.")), false, timeout, 1);
        return new RouteTable.Match(route, subject);
    }

    private TaskRequester requester() {
        return requester(() -> gateway);
    }

    private TaskRequester requester(Supplier<Connection> connection) {
        return new TaskRequester(connection, metrics);
    }

    /** Subscribes {@code handler} in a queue group and returns once the server knows the subscription. */
    private Dispatcher respond(String subject, io.nats.client.MessageHandler handler) throws Exception {
        Dispatcher dispatcher = responders.createDispatcher(handler);
        dispatcher.subscribe(subject, "workers");
        responders.flush(Duration.ofSeconds(5));
        return dispatcher;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Message message) {
        return new String(message.getData(), StandardCharsets.UTF_8);
    }

    @Test
    void aReplyIsReturned() throws Exception {
        Dispatcher echo = respond("req.echo", message -> responders.publish(message.getReplyTo(),
                bytes("echo " + text(message))));
        try {
            Message reply = requester().request(match("req.echo", Duration.ofSeconds(2)), "POST", new Headers(),
                    bytes("hi"), Duration.ofSeconds(2));
            assertThat(text(reply)).isEqualTo("echo hi");
            assertThat(Replies.error(reply)).isEmpty();
        } finally {
            responders.closeDispatcher(echo);
        }
    }

    @Test
    void anErrorReplyIsReturnedAsTheTaskSentIt() throws Exception {
        TaskError refusal = TaskError.rejected(422, "order_id is required");
        Dispatcher refusing = respond("req.refuse", message -> responders.publish(message.getReplyTo(),
                Replies.errorHeaders(refusal), Replies.errorBody(refusal, "refuse", "req.refuse")));
        try {
            Message reply = requester().request(match("req.refuse", Duration.ofSeconds(2)), "PUT", new Headers(),
                    bytes("{}"), Duration.ofSeconds(2));
            assertThat(Replies.status(reply)).isEqualTo(422);
            assertThat(Replies.error(reply).orElseThrow().message()).isEqualTo("order_id is required");
            assertThat(text(reply)).contains("\"kind\":\"rejected\"");
        } finally {
            responders.closeDispatcher(refusing);
        }
    }

    @Test
    void noRespondersUntilTheDeadlineIsA503() {
        assertThatThrownBy(() -> requester().request(match("req.nobody", Duration.ofSeconds(1)), "POST", new Headers(),
                bytes("x"), Duration.ofMillis(300)))
                .isInstanceOfSatisfying(TaskError.class, error -> {
                    assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                    assertThat(error.code()).isEqualTo(503);
                    assertThat(error.getMessage()).contains("no host serves task 'req-nobody'");
                });
    }

    @Test
    void noReplyWithinTheDeadlineIsA504AndAPostIsSentOnce() throws Exception {
        AtomicInteger received = new AtomicInteger();
        // Takes the message and never replies: a host whose connection was lost with the reply.
        Dispatcher blackHole = respond("req.silent", message -> received.incrementAndGet());
        try {
            assertThatThrownBy(() -> requester().request(match("req.silent", Duration.ofMillis(200)), "POST",
                    new Headers(), bytes("x"), Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(TaskError.class, error -> {
                        assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
                        assertThat(error.code()).isEqualTo(504);
                        assertThat(error.getMessage()).contains("sent no reply within 200ms");
                    });
            assertThat(received.get()).as("a POST is not sent again: the task may have run").isEqualTo(1);
        } finally {
            responders.closeDispatcher(blackHole);
        }
    }

    @Test
    void anIdempotentRequestWhoseReplyWasLostIsSentAgainWithinTheDeadline() throws Exception {
        AtomicInteger received = new AtomicInteger();
        Dispatcher blackHole = respond("req.lost", message -> received.incrementAndGet());
        try {
            assertThatThrownBy(() -> requester().request(match("req.lost", Duration.ofMillis(100)), "PUT", new Headers(),
                    bytes("x"), Duration.ofSeconds(3)))
                    .isInstanceOfSatisfying(TaskError.class, error -> assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT));
            assertThat(received.get()).as("a PUT is sent again while the deadline allows").isGreaterThanOrEqualTo(2);
        } finally {
            responders.closeDispatcher(blackHole);
        }
    }

    @Test
    void aRequestNoHostReceivedIsRetriedOnceAResponderAppears() throws Exception {
        RouteTable.Match match = match("req.late", Duration.ofSeconds(2));
        AtomicInteger attempts = new AtomicInteger();
        Dispatcher[] late = new Dispatcher[1];
        // The responder subscribes as the second attempt asks for its connection: the first one
        // certainly reached nobody, the second certainly finds the responder.
        TaskRequester requester = requester(() -> {
            if (attempts.incrementAndGet() == 2) {
                try {
                    late[0] = respond("req.late", message -> responders.publish(message.getReplyTo(), bytes("late")));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot subscribe the late responder", e);
                }
            }
            return gateway;
        });
        double retriesBefore = retries(match, "no_responders");
        try {
            Message reply = requester.request(match, "GET", new Headers(), new byte[0], Duration.ofSeconds(5));
            assertThat(text(reply)).isEqualTo("late");
            assertThat(attempts.get()).isEqualTo(2);
            assertThat(retries(match, "no_responders")).isEqualTo(retriesBefore + 1);
        } finally {
            if (late[0] != null) {
                responders.closeDispatcher(late[0]);
            }
        }
    }

    @Test
    void eachAttemptTellsTheHostItsTimeout() throws Exception {
        Dispatcher timeouts = respond("req.timeout", message -> responders.publish(message.getReplyTo(),
                bytes(message.getHeaders().getFirst(WireHeaders.TIMEOUT))));
        try {
            RouteTable.Match match = match("req.timeout", Duration.ofSeconds(3));
            assertThat(text(requester().request(match, "POST", new Headers(), new byte[0], Duration.ofMillis(1200))))
                    .as("a deadline shorter than the task's timeout").isEqualTo("1200");
            assertThat(text(requester().request(match, "POST", new Headers(), new byte[0], Duration.ofSeconds(60))))
                    .as("a deadline longer than the task's timeout gives it no more time").isEqualTo("3000");
        } finally {
            responders.closeDispatcher(timeouts);
        }
    }

    @Test
    void notConnectedIsA503() {
        assertThatThrownBy(() -> requester(() -> null).request(match("req.offline", Duration.ofSeconds(1)), "GET",
                new Headers(), new byte[0], Duration.ofMillis(200)))
                .isInstanceOfSatisfying(TaskError.class, error -> {
                    assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                    assertThat(error.getMessage()).contains("not connected to NATS");
                });
    }

    private static double retries(RouteTable.Match match, String reason) {
        return Registries.global().counter("metropolis.gateway.retries", List.of(Tag.create("route", match.route().display()),
                Tag.create("reason", reason))).map(Counter::count).map(Long::doubleValue).orElse(0.0);
    }
}

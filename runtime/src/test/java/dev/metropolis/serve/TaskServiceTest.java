package dev.metropolis.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.metropolis.metrics.Registries;
import dev.metropolis.nats.MicroService;
import dev.metropolis.nats.Replies;
import dev.metropolis.runner.TaskRunner;
import dev.metropolis.runner.TestRunners;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.TestNats;
import dev.metropolis.trace.Tracing;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.service.Discovery;
import io.nats.service.EndpointStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One script served on a real nats-server through a real runner: replies, errors, STATS, swap and retire. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskServiceTest {
    private static final String ECHO = """
            export function handle(body) {
              if (body === 'throw') throw new Error('broken on purpose');
              if (body.startsWith('spin')) { const end = Date.now() + 300; while (Date.now() < end) { } }
              return 'v1 ' + body;
            }
            """;
    private static final Duration DRAIN = Duration.ofSeconds(5);

    private static TestNats server;
    private static TestRunners runners;
    private static Connection host;
    private static Connection client;
    private static final TaskMetrics METRICS = new TaskMetrics(Registries.global());

    @TempDir
    Path folder;
    private TaskService service;

    @BeforeAll
    static void start() throws Exception {
        server = TestNats.start();
        runners = new TestRunners();
        host = server.connect();
        client = server.connect();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        host.close();
        runners.close();
        server.close();
    }

    @AfterEach
    void retire() {
        if (service != null) {
            service.retire(false);
        }
    }

    private TaskScript script(String name, String body) throws Exception {
        return TestRunners.script(folder, name + ".js", "svc." + name, "concurrency = 2", body);
    }

    private TaskService serve(String name) throws Exception {
        service = TaskService.start(host, runners.runner(script(name, ECHO)), DRAIN, METRICS, Tracing.disabled());
        host.flush(Duration.ofSeconds(5)); // the server has the subscriptions before the client's first message
        return service;
    }

    private static Message request(String subject, Headers headers, String body) throws Exception {
        return client.requestWithTimeout(subject, headers, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))
                .get(15, TimeUnit.SECONDS);
    }

    private static String text(Message message) {
        return new String(message.getData(), StandardCharsets.UTF_8);
    }

    private static EndpointStats stats(String task) {
        return new Discovery(client, 1000, 1).stats(MicroService.serviceName(task)).getFirst().getEndpointStatsList().getFirst();
    }

    @Test
    void answersWithTheScriptsReplyAndEchoesTheRequestId() throws Exception {
        serve("echo");
        Headers headers = new Headers().put(WireHeaders.REQUEST_ID, "req-42");

        Message reply = request("svc.echo", headers, "hi");

        assertThat(text(reply)).isEqualTo("v1 hi");
        assertThat(Replies.error(reply)).isEmpty();
        assertThat(reply.getHeaders().getFirst(WireHeaders.REQUEST_ID)).isEqualTo("req-42");
    }

    @Test
    void aReplyOverMaxPayloadBecauseOfItsHeadersIsAnsweredTooLargeAndCountedSo() throws Exception {
        serve("bigecho");
        long limit = host.getMaxPayload();
        // Fits as a request (no headers); the reply ("v1 " + body, plus its headers) does not.
        String body = "a".repeat((int) limit - 10);

        Message reply = request("svc.bigecho", null, body);

        assertThat(Replies.status(reply)).isEqualTo(413);
        String error = text(reply);
        assertThat(error).contains("\"kind\":\"too_large\"").contains("max_payload of " + limit)
                .contains("\"task\":\"bigecho\"").contains("\"subject\":\"svc.bigecho\"");
        assertThat(reply.getHeaders().getFirst(WireHeaders.REQUEST_ID)).isNotBlank();
        assertThat(stats("bigecho").getLastError()).startsWith("413 ");
    }

    @Test
    void prepareTurnsAnyAnswerOverTheLimitIntoTooLargeNamingItsSizeAndTheLimit() {
        ReplySender sender = new ReplySender(host, () -> 100, () -> { });
        TaskRequest request = new TaskRequest("svc.x", "_INBOX.1", java.util.Map.of(), new byte[0]);

        ReplySender.Outgoing fits = sender.prepare("x", request, TaskReply.text("small"), null);
        ReplySender.Outgoing tooBig = sender.prepare("x", request, TaskReply.text("b".repeat(200)), null);

        assertThat(fits.failure()).isNull();
        assertThat(tooBig.failure().kind()).isEqualTo(ErrorKind.TOO_LARGE);
        assertThat(tooBig.failure().getMessage()).contains("its result is 2").contains("max_payload of 100 bytes");
        assertThat(tooBig.headers().serializedLength() + tooBig.body().length).isGreaterThan(0);
    }

    @Test
    void aFailureIsAnErrorReplyAlreadyCountedWhenItArrives() throws Exception {
        serve("failing");
        request("svc.failing", null, "fine");

        Message reply = request("svc.failing", new Headers().put(WireHeaders.REQUEST_ID, "req-7"), "throw");

        assertThat(Replies.status(reply)).isEqualTo(500);
        assertThat(reply.getHeaders().getFirst(WireHeaders.SERVICE_ERROR)).contains("broken on purpose");
        assertThat(reply.getHeaders().getFirst(WireHeaders.REQUEST_ID)).isEqualTo("req-7");
        // Asked right after the reply arrived, with no waiting: the outcome is recorded before the reply is sent.
        EndpointStats stats = stats("failing");
        assertThat(stats.getNumRequests()).isEqualTo(2);
        assertThat(stats.getNumErrors()).isEqualTo(1);
        assertThat(stats.getLastError()).startsWith("500 ").contains("broken on purpose");
    }

    @Test
    void fireAndForgetMessagesRunAndAreCounted() throws Exception {
        serve("quiet");

        client.publish("svc.quiet", "one".getBytes(StandardCharsets.UTF_8));
        client.publish("svc.quiet", "two".getBytes(StandardCharsets.UTF_8));

        Await.until(Duration.ofSeconds(10), "two fire-and-forget messages counted",
                () -> stats("quiet").getNumRequests() == 2);
    }

    @Test
    void aSwapHandsNewMessagesToTheNewVersionAndReturnsTheOldOne() throws Exception {
        TaskRunner first = serve("swapped").runner();
        TaskRunner second = runners.runner(script("swapped", ECHO.replace("'v1 '", "'v2 '")));
        assertThat(TaskService.canServe(first.script(), second.script())).isTrue();

        TaskRunner previous = service.swap(second);

        assertThat(previous).isSameAs(first);
        assertThat(service.runner()).isSameAs(second);
        assertThat(text(request("svc.swapped", null, "hi"))).isEqualTo("v2 hi");
    }

    @Test
    void retiringLeavesDiscoveryAndStopsAnswering() throws Exception {
        TaskService retired = serve("leaving");
        assertThat(text(request("svc.leaving", null, "hi"))).isEqualTo("v1 hi");
        service = null;

        retired.retire(true);

        // Nobody answers discovery for it any more, nor its subject: both are "no responders" (503).
        assertThat(catchThrowable(() -> request("$SRV.PING." + MicroService.serviceName("leaving"), null, "")))
                .hasMessageContaining("503");
        assertThat(catchThrowable(() -> request("svc.leaving", null, "hi"))).hasMessageContaining("503");
    }

    @Test
    void retiringLetsACallInFlightFinishAndAnswer() throws Exception {
        TaskService retired = serve("draining");
        service = null;
        CompletableFuture<Message> reply = client.requestWithTimeout("svc.draining", "spin".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        Await.until(Duration.ofSeconds(10), "the call to be running", () -> retired.runner().poolStats().leased() == 1);

        retired.retire(true);

        // retire waited for the handler, whose reply is on its way (the client reads it on its own thread)
        assertThat(text(reply.get(5, java.util.concurrent.TimeUnit.SECONDS))).isEqualTo("v1 spin");
    }
}

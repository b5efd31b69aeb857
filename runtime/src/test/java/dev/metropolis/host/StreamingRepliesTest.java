package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.nats.ReplyStream;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.testkit.Await;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Generator tasks in both languages stream their replies over core NATS: order, end, errors, cancel, window, timeouts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class StreamingRepliesTest {
    private RunningHost running;

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        Files.writeString(scripts.resolve("count.py"), """
                # /// metropolis
                # subject = "py.count"
                # timeout = "2s"
                # stream_timeout = "20s"
                # [allow]
                # subjects = ["probe.closed"]
                # ///
                import time
                import metropolis

                def handle(body, msg):
                    n = body["n"]
                    try:
                        for i in range(1, n + 1):
                            if i == body.get("fail_at"):
                                raise metropolis.TaskError(f"no chunk {i}", code=422)
                            if i == body.get("stall_at"):
                                time.sleep(30)
                            if i == body.get("big_at"):
                                yield "x" * 2_000_000
                            yield {"i": i} if i % 2 else f"text {i}"
                            if body.get("pause"):
                                time.sleep(body["pause"])
                    except GeneratorExit:
                        metropolis.publish("probe.closed", "python closed")
                        raise
                """);
        Files.writeString(scripts.resolve("jscount.mjs"), """
                // /// metropolis
                // subject = "js.count"
                // timeout = "2s"
                // [allow]
                // subjects = ["probe.closed"]
                // ///
                export async function* handle(body) {
                  try {
                    for (let i = 1; i <= body.n; i++) {
                      if (i === body.fail_at) throw new metropolis.TaskError(`no chunk ${i}`, 422);
                      if (i === body.stall_at) { for (;;) {} }
                      yield i % 2 ? { i } : `text ${i}`;
                      if (body.pause) { const end = Date.now() + body.pause * 1000; while (Date.now() < end) {} }
                    }
                  } finally {
                    if (body.n > 1000) metropolis.publish('probe.closed', 'js closed');
                  }
                }
                """);
        Files.writeString(scripts.resolve("agen.py"), """
                # /// metropolis
                # subject = "py.agen"
                # ///
                async def double(i):
                    return 2 * i

                class NeedsALoop:
                    def __await__(self):
                        yield "a future"

                async def handle(body, msg):
                    for i in range(1, 4):
                        yield await double(i)
                    if body == "loop":
                        await NeedsALoop()
                """);
        Files.writeString(scripts.resolve("once.py"), """
                # /// metropolis
                # subject = "py.once"
                # ///
                def handle(body, msg):
                    return "whole"
                """);
        running = RunningHost.start(scripts, false);
        assertThat(running.host.problems()).isEmpty();
    }

    @AfterAll
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    /** Reads a stream to its end: every message, the last one without a chunk number. */
    private List<Message> readAll(String subject, String body, Headers headers) throws Exception {
        List<Message> messages = new ArrayList<>();
        try (ReplyStream stream = ReplyStream.open(running.nats, subject, headers, body.getBytes(StandardCharsets.UTF_8))) {
            while (!stream.finished()) {
                Message message = stream.next(Duration.ofSeconds(10));
                assertThat(message).as("a message within 10 s after " + messages.size()).isNotNull();
                messages.add(message);
            }
        }
        return messages;
    }

    private static String text(Message message) {
        return new String(message.getData(), StandardCharsets.UTF_8);
    }

    @Test
    void bothLanguagesStreamEveryChunkInOrderThenEnd() throws Exception {
        for (String subject : List.of("py.count", "js.count")) {
            List<Message> messages = readAll(subject, "{\"n\": 5}", null);
            assertThat(messages).hasSize(6);
            for (int i = 1; i <= 5; i++) {
                Message chunk = messages.get(i - 1);
                assertThat(ReplyStream.kind(chunk)).isEqualTo(ReplyStream.Kind.CHUNK);
                assertThat(ReplyStream.sequence(chunk)).isEqualTo(i);
                assertThat(text(chunk)).isEqualTo(i % 2 == 1 ? "{\"i\":" + i + "}" : "text " + i);
                assertThat(chunk.getHeaders().getFirst("Content-Type"))
                        .isEqualTo(i % 2 == 1 ? "application/json" : "text/plain; charset=utf-8");
                assertThat(chunk.getHeaders().getFirst(WireHeaders.REQUEST_ID)).isNotNull();
            }
            assertThat(messages.getFirst().getHeaders().getFirst(WireHeaders.WINDOW)).isEqualTo("64");
            Message end = messages.getLast();
            assertThat(ReplyStream.kind(end)).isEqualTo(ReplyStream.Kind.END);
            assertThat(end.getHeaders().getFirst(WireHeaders.END)).isEqualTo("5");
            assertThat(end.getData()).isEmpty();
        }
    }

    @Test
    void aPythonAsyncGeneratorStreamsWhatItAwaits() throws Exception {
        List<Message> messages = readAll("py.agen", "", null);
        assertThat(messages).extracting(StreamingRepliesTest::text).containsExactly("2", "4", "6", "");
        assertThat(ReplyStream.kind(messages.getLast())).isEqualTo(ReplyStream.Kind.END);
        List<Message> failed = readAll("py.agen", "loop", null);
        assertThat(failed).hasSize(4);
        assertThat(text(failed.getLast())).contains("an async generator awaited something that needs an event loop");
    }

    @Test
    void aTaskThatRepliesOnceIsAPlainReply() throws Exception {
        List<Message> messages = readAll("py.once", "", null);
        assertThat(messages).hasSize(1);
        assertThat(ReplyStream.kind(messages.getFirst())).isEqualTo(ReplyStream.Kind.REPLY);
        assertThat(text(messages.getFirst())).isEqualTo("whole");
    }

    @Test
    void anErrorMidStreamEndsItWithTheErrorHeaders() throws Exception {
        for (String subject : List.of("py.count", "js.count")) {
            List<Message> messages = readAll(subject, "{\"n\": 5, \"fail_at\": 3}", null);
            assertThat(messages).hasSize(3);
            Message error = messages.getLast();
            assertThat(ReplyStream.kind(error)).isEqualTo(ReplyStream.Kind.ERROR);
            assertThat(error.getHeaders().getFirst(WireHeaders.SERVICE_ERROR_CODE)).isEqualTo("422");
            assertThat(error.getHeaders().getFirst(WireHeaders.END)).isEqualTo("2");
            assertThat(text(error)).contains("\"error\":\"no chunk 3\"");
        }
    }

    @Test
    void aChunkOverMaxPayloadEndsTheStreamWithTooLarge() throws Exception {
        List<Message> messages = readAll("py.count", "{\"n\": 5, \"big_at\": 2}", null);
        assertThat(messages).hasSize(2);
        Message error = messages.getLast();
        assertThat(error.getHeaders().getFirst(WireHeaders.SERVICE_ERROR_CODE)).isEqualTo("413");
        assertThat(error.getHeaders().getFirst(WireHeaders.END)).isEqualTo("1");
        assertThat(text(error)).contains("over the NATS server's max_payload");
        Await.until(Duration.ofSeconds(10), "the context back in its pool", () -> running.host.leasedContexts("count") == 0);
    }

    @Test
    void aGeneratorStuckBetweenChunksIsInterruptedAtItsTimeout() throws Exception {
        for (String subject : List.of("py.count", "js.count")) {
            long started = System.nanoTime();
            List<Message> messages = readAll(subject, "{\"n\": 5, \"stall_at\": 2}", null);
            assertThat(messages).hasSize(2);
            assertThat(ReplyStream.kind(messages.getLast())).isEqualTo(ReplyStream.Kind.ERROR);
            assertThat(messages.getLast().getHeaders().getFirst(WireHeaders.SERVICE_ERROR_CODE)).isEqualTo("504");
            assertThat(text(messages.getLast())).contains("yielded no chunk after chunk 1 within 2s");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void cancellingClosesTheGeneratorAndFreesItsContext() throws Exception {
        for (String subject : List.of("py.count", "js.count")) {
            String task = subject.startsWith("py") ? "count" : "jscount";
            Subscription closed = running.nats.subscribe("probe.closed");
            try (ReplyStream stream = ReplyStream.open(running.nats, subject, null,
                    "{\"n\": 100000, \"pause\": 0.01}".getBytes(StandardCharsets.UTF_8))) {
                for (int i = 1; i <= 3; i++) {
                    assertThat(ReplyStream.sequence(stream.next(Duration.ofSeconds(10)))).isEqualTo(i);
                }
                stream.cancel();
            }
            Message probe = closed.nextMessage(Duration.ofSeconds(10));
            assertThat(probe).as("the generator's close handler ran").isNotNull();
            assertThat(text(probe)).isEqualTo(subject.startsWith("py") ? "python closed" : "js closed");
            closed.unsubscribe();
            Await.until(Duration.ofSeconds(10), "the context back in its pool",
                    () -> running.host.leasedContexts(task) == 0);
        }
    }

    @Test
    void aCallerThatGoesAwayWithoutCancellingStopsTheStream() throws Exception {
        Subscription closed = running.nats.subscribe("probe.closed");
        Subscription inbox = running.nats.subscribe(running.nats.createInbox());
        running.nats.publish("py.count", inbox.getSubject(), null,
                "{\"n\": 100000, \"pause\": 0.01}".getBytes(StandardCharsets.UTF_8));
        assertThat(ReplyStream.sequence(inbox.nextMessage(Duration.ofSeconds(10)))).isEqualTo(1);
        // Unsubscribed without a word, as a crashed caller: the next chunk finds no subscriber.
        inbox.unsubscribe();
        assertThat(closed.nextMessage(Duration.ofSeconds(10))).as("the generator was closed").isNotNull();
        closed.unsubscribe();
        Await.until(Duration.ofSeconds(10), "the context back in its pool", () -> running.host.leasedContexts("count") == 0);
    }

    @Test
    void aSlowConsumerHoldsTheHostAtItsWindow() throws Exception {
        Headers headers = new Headers().put(WireHeaders.WINDOW, "2");
        Subscription inbox = running.nats.subscribe(running.nats.createInbox());
        running.nats.publish("js.count", inbox.getSubject(), headers, "{\"n\": 10}".getBytes(StandardCharsets.UTF_8));
        List<Message> chunks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            chunks.add(inbox.nextMessage(Duration.ofSeconds(10)));
        }
        assertThat(chunks.getFirst().getHeaders().getFirst(WireHeaders.WINDOW)).isEqualTo("2");
        // Nothing acknowledged: the host sends no third chunk.
        assertThat(inbox.nextMessage(Duration.ofMillis(500))).isNull();
        running.nats.publish(chunks.getLast().getReplyTo(), "2".getBytes(StandardCharsets.US_ASCII));
        Message third = inbox.nextMessage(Duration.ofSeconds(10));
        assertThat(ReplyStream.sequence(third)).isEqualTo(3);
        assertThat(ReplyStream.sequence(inbox.nextMessage(Duration.ofSeconds(10)))).isEqualTo(4);
        // Never acknowledged again: after the task's timeout (2 s) the stream fails, saying why.
        Message error = inbox.nextMessage(Duration.ofSeconds(10));
        assertThat(ReplyStream.kind(error)).isEqualTo(ReplyStream.Kind.ERROR);
        assertThat(text(error)).contains("acknowledged no chunk beyond 2 for 2s");
        inbox.unsubscribe();
        Await.until(Duration.ofSeconds(10), "the context back in its pool", () -> running.host.leasedContexts("jscount") == 0);
    }
}

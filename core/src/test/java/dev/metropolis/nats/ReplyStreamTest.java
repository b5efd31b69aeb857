package dev.metropolis.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The caller's side of the streaming protocol against a real nats-server and a hand-written responder. */
@Timeout(30)
class ReplyStreamTest {

    @Test
    void chunksAreAcknowledgedInBatchesOfAQuarterWindowAsTheCallerTakesThem() throws Exception {
        try (TestNats server = TestNats.start(); Connection host = server.connect(); Connection caller = server.connect()) {
            List<String> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
            String ackSubject = "acks.stream1";
            host.createDispatcher(m -> acks.add(new String(m.getData(), StandardCharsets.US_ASCII))).subscribe(ackSubject);
            host.createDispatcher(request -> {
                for (int i = 1; i <= 9; i++) {
                    Headers chunk = new Headers().put(WireHeaders.CHUNK, Integer.toString(i));
                    if (i == 1) {
                        chunk.put(WireHeaders.WINDOW, "8");
                    }
                    host.publish(request.getReplyTo(), ackSubject, chunk, ("c" + i).getBytes(StandardCharsets.UTF_8));
                }
                host.publish(request.getReplyTo(), new Headers().put(WireHeaders.END, "9"), new byte[0]);
            }).subscribe("svc.stream");
            host.flush(Duration.ofSeconds(5));
            List<ReplyStream.Kind> kinds = new ArrayList<>();
            try (ReplyStream stream = ReplyStream.open(caller, "svc.stream", null, new byte[0])) {
                while (!stream.finished()) {
                    Message message = stream.next(Duration.ofSeconds(5));
                    kinds.add(ReplyStream.kind(message));
                }
            }
            caller.flush(Duration.ofSeconds(5));
            // A quarter of the window of 8: every second chunk; none after the end, and no cancel for a finished stream.
            dev.metropolis.testkit.Await.until(Duration.ofSeconds(10), "four acknowledgements", () -> acks.size() >= 4);
            host.flush(Duration.ofSeconds(5));
            assertThat(kinds).hasSize(10).endsWith(ReplyStream.Kind.END);
            assertThat(kinds.subList(0, 9)).containsOnly(ReplyStream.Kind.CHUNK);
            assertThat(acks).containsExactly("2", "4", "6", "8");
        }
    }

    @Test
    void messagesAreClassifiedByTheirHeaders() {
        assertThat(ReplyStream.kind(message(new Headers().put(WireHeaders.CHUNK, "3")))).isEqualTo(ReplyStream.Kind.CHUNK);
        assertThat(ReplyStream.sequence(message(new Headers().put(WireHeaders.CHUNK, "3")))).isEqualTo(3);
        assertThat(ReplyStream.kind(message(new Headers().put(WireHeaders.END, "3")))).isEqualTo(ReplyStream.Kind.END);
        Headers error = Replies.errorHeaders(TaskError.of(ErrorKind.TIMED_OUT, "slow")).put(WireHeaders.END, "2");
        assertThat(ReplyStream.kind(message(error))).isEqualTo(ReplyStream.Kind.ERROR);
        assertThat(ReplyStream.kind(message(new Headers().put(WireHeaders.CONTENT_TYPE, "text/plain"))))
                .isEqualTo(ReplyStream.Kind.REPLY);
        assertThat(ReplyStream.sequence(message(new Headers()))).isZero();
    }

    @Test
    void aRequestNobodyServesIsNoResponders() throws Exception {
        try (TestNats server = TestNats.start(); Connection caller = server.connect();
                ReplyStream stream = ReplyStream.open(caller, "nobody.here", null, new byte[0])) {
            assertThat(ReplyStream.kind(stream.next(Duration.ofSeconds(5)))).isEqualTo(ReplyStream.Kind.NO_RESPONDERS);
        }
    }

    private static Message message(Headers headers) {
        return io.nats.client.impl.NatsMessage.builder().subject("x").headers(headers).data(new byte[0]).build();
    }
}

package dev.metropolis.gateway;

import dev.metropolis.nats.Replies;
import dev.metropolis.nats.ReplyStream;
import dev.metropolis.task.Durations;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.WireHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers a request to a streaming task (a generator): the task's chunks go to the client as they
 * arrive, as Server-Sent Events or NDJSON ({@link ChunkFormat}), each acknowledged to the host once
 * written, so a slow client slows the host down instead of piling chunks up. A client that goes
 * away cancels the stream, which closes the task's generator and frees its context. A task that
 * answers before its first chunk (an error, or a plain reply) is answered as any request is.
 */
final class StreamRelay {
    private static final Logger LOG = Logger.getLogger(StreamRelay.class.getName());
    /** Extra wait beyond the host's own limits, so its timeout error (with its reason) arrives first. */
    private static final Duration MARGIN = Duration.ofMillis(500);
    /** How often an SSE client hears a comment while a chunk is slow: a client gone is noticed by then. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);

    private final Supplier<Connection> nats;
    private final GatewayMetrics metrics;

    StreamRelay(Supplier<Connection> nats, GatewayMetrics metrics) {
        this.nats = nats;
        this.metrics = metrics;
    }

    /** Sends the request and relays what comes back; {@code firstChunk} bounds the wait for the first message. */
    void relay(ServerResponse response, RouteTable.Match match, Headers headers, byte[] body, Duration firstChunk,
            ChunkFormat format) {
        Connection connection = nats.get();
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            throw TaskError.of(ErrorKind.UNAVAILABLE, "the gateway is not connected to NATS right now; retry shortly");
        }
        Duration attempt = firstChunk.compareTo(match.route().timeout()) < 0 ? firstChunk : match.route().timeout();
        headers.put(WireHeaders.TIMEOUT, WireHeaders.timeoutValue(attempt));
        long started = System.nanoTime();
        try (ReplyStream stream = ReplyStream.open(connection, match.subject(), headers, body)) {
            Message first = await(stream, attempt.plus(MARGIN));
            if (first == null) {
                throw TaskError.of(ErrorKind.TIMED_OUT, "task '" + match.route().task() + "' sent nothing within "
                        + Durations.format(attempt));
            }
            switch (ReplyStream.kind(first)) {
                case NO_RESPONDERS -> throw TaskError.of(ErrorKind.UNAVAILABLE, "no host serves task '"
                        + match.route().task() + "' right now (subject '" + match.subject() + "'); retry shortly");
                case CHUNK -> stream(response, match, stream, first, format, started);
                default -> TaskProxy.relay(first, Replies.status(first), response, match);
            }
        }
    }

    private void stream(ServerResponse response, RouteTable.Match match, ReplyStream stream, Message first,
            ChunkFormat format, long started) {
        response.status(200);
        response.header(HeaderNames.CONTENT_TYPE, format.contentType());
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        String traceparent = Replies.header(first, WireHeaders.TRACEPARENT);
        if (traceparent != null) {
            response.header(HeaderNames.create(WireHeaders.TRACEPARENT), traceparent);
        }
        long streamEnd = started + match.route().streamTimeout().plus(MARGIN).toNanos();
        Duration gap = match.route().timeout().plus(MARGIN);
        String route = match.route().display();
        String outcome = "failed";
        try (OutputStream out = response.outputStream()) {
            Message message = first;
            long chunks = 0;
            while (true) {
                switch (ReplyStream.kind(message)) {
                    case CHUNK -> {
                        chunks++;
                        write(out, format.chunk(ReplyStream.sequence(message), Replies.header(message,
                                WireHeaders.CONTENT_TYPE), message.getData()));
                        metrics.streamChunk(route);
                    }
                    case END -> {
                        write(out, format.end(chunks));
                        outcome = "ok";
                        return;
                    }
                    default -> {
                        write(out, format.error(message.getData()));
                        return;
                    }
                }
                message = next(stream, out, format, gap, streamEnd);
                if (message == null) {
                    TaskError silent = TaskError.of(ErrorKind.TIMED_OUT, "task '" + match.route().task() + "' sent no"
                            + " chunk for " + Durations.format(gap.minus(MARGIN)) + " after chunk " + chunks);
                    write(out, format.error(Replies.errorBody(silent, match.route().task(), match.subject())));
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Helidon reports a write to a closed connection as a ServerConnectionException caused by an IOException.
            if (!ClientGone.is(e)) {
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            outcome = "client_gone";
            // The client left: closing the stream (try-with-resources in relay) cancels it on the host.
            LOG.log(Level.FINE, "the client of a stream from task {0} went away: {1}", new Object[] {match.route().task(),
                e.toString()});
        } finally {
            metrics.streamEnded(route, outcome, System.nanoTime() - started);
        }
    }

    /** The next message within {@code gap} and the stream's end; SSE clients get a heartbeat meanwhile. */
    private static Message next(ReplyStream stream, OutputStream out, ChunkFormat format, Duration gap, long streamEnd)
            throws IOException {
        long until = Math.min(System.nanoTime() + gap.toNanos(), streamEnd);
        while (true) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Duration wait = format == ChunkFormat.SSE && HEARTBEAT.toNanos() < left ? HEARTBEAT : Duration.ofNanos(left);
            Message message = await(stream, wait);
            if (message != null) {
                return message;
            }
            if (format == ChunkFormat.SSE) {
                write(out, format.heartbeat());
            }
        }
    }

    private static Message await(ReplyStream stream, Duration wait) {
        try {
            return stream.next(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TaskError.of(ErrorKind.UNAVAILABLE, "the gateway is shutting down");
        }
    }

    private static void write(OutputStream out, byte[] bytes) throws IOException {
        if (bytes.length > 0) {
            out.write(bytes);
            out.flush();
        }
    }
}

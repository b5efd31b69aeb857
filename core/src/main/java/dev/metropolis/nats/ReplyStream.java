package dev.metropolis.nats;

import dev.metropolis.task.WireHeaders;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * The caller's side of a request whose answer may be streamed: the request goes out with a reply
 * subject of its own, and {@link #next} hands over what arrives there, a plain reply or the chunks
 * of a stream and its end, acknowledging chunks as the caller processes them so the host's window
 * keeps moving. Not thread-safe: one caller reads it.
 */
public final class ReplyStream implements AutoCloseable {
    /** What arrived on the reply subject. */
    public enum Kind {
        /** A chunk of a stream: more follow. */
        CHUNK,
        /** The empty message ending a stream that succeeded. */
        END,
        /** An error reply: before any chunk, or ending a stream that failed. */
        ERROR,
        /** A task that answered once (it does not stream): the whole answer. */
        REPLY,
        /** The request reached no task (NATS' no-responders status). */
        NO_RESPONDERS
    }

    private final Connection connection;
    private final Subscription inbox;
    private String ackSubject;
    private long window = 1;
    private long acknowledged;
    private long processed;
    private boolean finished;

    private ReplyStream(Connection connection, Subscription inbox) {
        this.connection = connection;
        this.inbox = inbox;
    }

    /** Subscribes to a fresh inbox and publishes the request with it as the reply subject. */
    public static ReplyStream open(Connection connection, String subject, Headers headers, byte[] body) {
        Objects.requireNonNull(connection, "connection");
        Subscription inbox = connection.subscribe(connection.createInbox());
        connection.publish(subject, inbox.getSubject(), headers, body);
        return new ReplyStream(connection, inbox);
    }

    /** What a message on the reply subject is. */
    public static Kind kind(Message message) {
        if (message.isStatusMessage() && message.getStatus().getCode() == 503) {
            return Kind.NO_RESPONDERS;
        }
        if (Replies.header(message, WireHeaders.CHUNK) != null) {
            return Kind.CHUNK;
        }
        if (Replies.error(message).isPresent()) {
            return Kind.ERROR;
        }
        return Replies.header(message, WireHeaders.END) != null ? Kind.END : Kind.REPLY;
    }

    /** A chunk's sequence number (1 for the first), 0 when the message is no chunk. */
    public static long sequence(Message message) {
        String value = Replies.header(message, WireHeaders.CHUNK);
        try {
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The next message, waiting at most {@code wait}; null when none came. A chunk is acknowledged
     * once the caller asks for the one after it, so the host sends no more than its window ahead of
     * what the caller has taken.
     */
    public Message next(Duration wait) throws InterruptedException {
        if (processed > acknowledged) {
            acknowledge();
        }
        Message message = inbox.nextMessage(wait);
        if (message == null) {
            return null;
        }
        Kind kind = kind(message);
        if (kind == Kind.CHUNK) {
            firstChunk(message);
            processed = Math.max(processed, sequence(message));
        } else {
            finished = true;
        }
        return message;
    }

    private void firstChunk(Message message) {
        if (ackSubject != null) {
            return;
        }
        ackSubject = message.getReplyTo();
        String announced = Replies.header(message, WireHeaders.WINDOW);
        try {
            window = announced == null ? 1 : Math.max(1, Long.parseLong(announced.trim()));
        } catch (NumberFormatException e) {
            window = 1;
        }
    }

    /** Acknowledges every chunk taken so far, in batches of a quarter window (at once with a small window). */
    private void acknowledge() {
        if (ackSubject == null || processed - acknowledged < Math.max(1, window / 4)) {
            return;
        }
        connection.publish(ackSubject, Long.toString(processed).getBytes(StandardCharsets.US_ASCII));
        acknowledged = processed;
    }

    /** Tells the host to stop the stream (the generator is closed at its next step); a finished stream is left alone. */
    public void cancel() {
        if (!finished && ackSubject != null) {
            connection.publish(ackSubject, WireHeaders.CANCEL.getBytes(StandardCharsets.US_ASCII));
        }
        finished = true;
    }

    /** Whether a message without a sequence (an end, an error, a plain reply) has arrived. */
    public boolean finished() {
        return finished;
    }

    /** Unsubscribes; cancels the stream first if it has not finished (the caller lost interest). */
    @Override
    public void close() {
        try {
            cancel();
        } finally {
            if (inbox.isActive()) {
                inbox.unsubscribe();
            }
        }
    }
}

package dev.metropolis.task;

import io.nats.service.ServiceMessage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The names of the message headers host and gateway exchange, and how the timeout header is written and read. */
public final class WireHeaders {
    public static final String CONTENT_TYPE = "Content-Type";
    /** The caller's request id; the host makes one up when a message has none. */
    public static final String REQUEST_ID = "X-Request-Id";
    /** W3C trace context. */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    /** Shortens a task's timeout for one message; whole milliseconds (the gateway's {@code Request-Timeout}, per attempt). */
    public static final String TIMEOUT = "Metropolis-Timeout";
    /** The HTTP request behind a message, set by the gateway, seen by the task as {@code msg.method} and {@code msg.path}. */
    public static final String METHOD = "Metropolis-Method";
    public static final String PATH = "Metropolis-Path";
    /**
     * How many task-to-task calls led to this message: a task's call carries its own count plus one,
     * so a loop (A calls B calls A ...) stops at {@link #MAX_HOPS} instead of exhausting the pools.
     */
    public static final String HOPS = "Metropolis-Hops";
    /** The deepest chain of task-to-task calls allowed. */
    public static final int MAX_HOPS = 8;
    /**
     * Set by the host on a message from a JetStream stream: how many times it has been delivered
     * (1 the first time) and its sequence in the stream, seen by the task as {@code msg.deliveries}
     * and {@code msg.stream_sequence} ({@code msg.streamSequence} in JavaScript).
     */
    public static final String DELIVERIES = "Metropolis-Deliveries";
    public static final String STREAM_SEQUENCE = "Metropolis-Stream-Sequence";
    /** The time of a schedule's tick (ISO-8601, UTC), seen by the task as {@code msg.tick}. */
    public static final String TICK = "Metropolis-Tick";
    /**
     * The caller the gateway authenticated, as one JSON object ({@code subject}, {@code scopes},
     * {@code key}, {@code claims}, {@code method}); seen by the task as {@code msg.auth}. The gateway
     * sets it and never forwards a caller's own: only the gateway's word reaches the task.
     */
    public static final String AUTH = "Metropolis-Auth";
    /** JetStream's de-duplication id: a second message with the same id within the stream's window is dropped. */
    public static final String MSG_ID = "Nats-Msg-Id";
    /** The micro-service error convention: the message, and the code (= HTTP status). */
    public static final String SERVICE_ERROR = ServiceMessage.NATS_SERVICE_ERROR;
    public static final String SERVICE_ERROR_CODE = ServiceMessage.NATS_SERVICE_ERROR_CODE;
    /**
     * Streaming replies (a generator task): every chunk on the reply subject carries its sequence
     * number, 1, 2, 3 ...; the stream ends with a message that has none, and it is an empty
     * message with {@link #END} (the number of chunks sent), or an error in the micro-service
     * form (which also carries {@link #END} once chunks were sent).
     */
    public static final String CHUNK = "Metropolis-Chunk";
    public static final String END = "Metropolis-End";
    /**
     * On the first chunk: how many chunks the host sends beyond the last acknowledged one (the
     * window). A chunk's reply subject is where the caller acknowledges (a payload with the highest
     * sequence it has processed, as decimal text) or cancels the stream ({@link #CANCEL}).
     */
    public static final String WINDOW = "Metropolis-Window";
    /** The payload that cancels a stream when published to a chunk's reply subject. */
    public static final String CANCEL = "cancel";
    /** Headers a reply echoes from its request, so the caller can correlate the two. */
    public static final List<String> CORRELATION = List.of(REQUEST_ID, TRACEPARENT, TRACESTATE);

    private WireHeaders() {}

    /** The hop count of a message: 0 when absent or unreadable. */
    public static int hops(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The value of {@link #TIMEOUT} for a timeout: whole milliseconds. */
    public static String timeoutValue(Duration timeout) {
        return Long.toString(timeout.toMillis());
    }

    /** A {@link #TIMEOUT} value read back; empty when absent, unreadable or not positive (then it is ignored). */
    public static Optional<Duration> parseTimeout(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            long millis = Long.parseLong(value.trim());
            return millis > 0 ? Optional.of(Duration.ofMillis(millis)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

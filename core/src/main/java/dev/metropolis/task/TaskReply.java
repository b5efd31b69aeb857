package dev.metropolis.task;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A task's successful result, encoded for the wire.
 *
 * @param body        the reply payload, empty for a task that returned nothing
 * @param contentType the MIME type of the body, or null for an empty reply
 */
public record TaskReply(byte[] body, String contentType) {
    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String BYTES = "application/octet-stream";

    private static final TaskReply EMPTY = new TaskReply(new byte[0], null);

    public TaskReply {
        Objects.requireNonNull(body, "body");
    }

    public static TaskReply empty() {
        return EMPTY;
    }

    public static TaskReply text(String text) {
        return new TaskReply(text.getBytes(StandardCharsets.UTF_8), TEXT);
    }

    public static TaskReply json(String json) {
        return new TaskReply(json.getBytes(StandardCharsets.UTF_8), JSON);
    }

    public static TaskReply bytes(byte[] bytes) {
        return new TaskReply(bytes, BYTES);
    }

    /** The body as UTF-8 text (handy in tests and logs). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}

package dev.metropolis.nats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import io.nats.client.impl.Headers;
import io.nats.service.ServiceMessage;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The wire form of task outcomes on NATS, following the micro-service error convention. */
public final class Replies {
    public static final String CONTENT_TYPE = "Content-Type";
    /** Longest error text put in a header; the JSON body carries it whole. */
    private static final int MAX_HEADER_TEXT = 512;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Replies() {}

    /** Headers for a successful reply: its content type, if any. */
    public static Headers headers(TaskReply reply) {
        Headers headers = new Headers();
        if (reply.contentType() != null) {
            headers.put(CONTENT_TYPE, reply.contentType());
        }
        return headers;
    }

    /** Error headers: {@code Nats-Service-Error} (message) and {@code Nats-Service-Error-Code}, plus JSON. */
    public static Headers errorHeaders(TaskError error) {
        Headers headers = new Headers();
        headers.put(ServiceMessage.NATS_SERVICE_ERROR, headerSafe(error.getMessage()));
        headers.put(ServiceMessage.NATS_SERVICE_ERROR_CODE, Integer.toString(error.code()));
        headers.put(CONTENT_TYPE, TaskReply.JSON);
        return headers;
    }

    /**
     * The JSON error body: {"error": message, "code": 504, "kind": "timed_out", "task": ..., "subject": ...};
     * task and subject are left out when null.
     */
    public static byte[] errorBody(TaskError error, String task, String subject) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.getMessage());
        body.put("code", error.code());
        body.put("kind", error.kind().name().toLowerCase(Locale.ROOT));
        if (task != null) {
            body.put("task", task);
        }
        if (subject != null) {
            body.put("subject", subject);
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Header values must be one line of printable ASCII-compatible text. */
    private static String headerSafe(String text) {
        String line = text.replaceAll("[\\r\\n\\t]+", " ").replaceAll("[^\\x20-\\x7e]", "?");
        return line.length() <= MAX_HEADER_TEXT ? line : line.substring(0, MAX_HEADER_TEXT - 3) + "...";
    }
}

package dev.metropolis.nats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The wire form of task outcomes on NATS, following the micro-service error convention: encoded
 * by the host, decoded by the gateway and the command line, both here.
 */
public final class Replies {
    /** Longest error text put in a header; the JSON body carries it whole. */
    private static final int MAX_HEADER_TEXT = 512;
    /** The status given to an error reply whose code is not an error code: the task's host misbehaved. */
    static final int BAD_GATEWAY = 502;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Replies() {}

    /** Headers for a successful reply: its content type, if any. */
    public static Headers headers(TaskReply reply) {
        Headers headers = new Headers();
        if (reply.contentType() != null) {
            headers.put(WireHeaders.CONTENT_TYPE, reply.contentType());
        }
        return headers;
    }

    /** Error headers: {@code Nats-Service-Error} (message) and {@code Nats-Service-Error-Code}, plus JSON. */
    public static Headers errorHeaders(TaskError error) {
        Headers headers = new Headers();
        headers.put(WireHeaders.SERVICE_ERROR, headerSafe(error.getMessage()));
        headers.put(WireHeaders.SERVICE_ERROR_CODE, Integer.toString(error.code()));
        headers.put(WireHeaders.CONTENT_TYPE, TaskReply.JSON);
        return headers;
    }

    /**
     * The JSON error body: {"error": message, "code": 504, "kind": "timed_out", "task": ..., "subject": ...};
     * task and subject are left out when null; an invalid input adds
     * {@code "violations": [{"pointer": "/qty", "rule": "minimum", "message": ...}]}.
     */
    public static byte[] errorBody(TaskError error, String task, String subject) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.getMessage());
        body.put("code", error.code());
        body.put("kind", error.kind().label());
        if (task != null) {
            body.put("task", task);
        }
        if (subject != null) {
            body.put("subject", subject);
        }
        if (!error.violations().isEmpty()) {
            body.put("violations", error.violations().stream().map(Replies::violation).toList());
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> violation(dev.metropolis.task.Violation violation) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("pointer", violation.pointer());
        entry.put("rule", violation.rule());
        entry.put("message", violation.message());
        return entry;
    }

    /**
     * An error reply as received.
     *
     * @param code    its status code: the {@code Nats-Service-Error-Code}, or 502 when that is not an error code
     * @param message the {@code Nats-Service-Error} text (shortened to one line), or "" when absent
     */
    public record ReceivedError(int code, String message) {
        /** The kind the code stands for. */
        public ErrorKind kind() {
            return ErrorKind.forCode(code);
        }
    }

    /** The error a reply carries, or empty for a successful reply. */
    public static Optional<ReceivedError> error(Message reply) {
        Headers headers = reply.getHeaders();
        String code = headers == null ? null : headers.getFirst(WireHeaders.SERVICE_ERROR_CODE);
        if (code == null) {
            return Optional.empty();
        }
        String message = headers.getFirst(WireHeaders.SERVICE_ERROR);
        return Optional.of(new ReceivedError(errorCode(code), message == null ? "" : message));
    }

    /** The status of a reply: 200, or its error's code. */
    public static int status(Message reply) {
        return error(reply).map(ReceivedError::code).orElse(200);
    }

    private static int errorCode(String code) {
        try {
            int status = Integer.parseInt(code.trim());
            return ErrorKind.isErrorCode(status) ? status : BAD_GATEWAY;
        } catch (NumberFormatException e) {
            return BAD_GATEWAY;
        }
    }

    /** A reply header's first value, or null. */
    public static String header(Message reply, String name) {
        return reply.getHeaders() == null ? null : reply.getHeaders().getFirst(name);
    }

    /** Header values must be one line of printable ASCII-compatible text. */
    private static String headerSafe(String text) {
        String line = text.replaceAll("[\\r\\n\\t]+", " ").replaceAll("[^\\x20-\\x7e]", "?");
        return line.length() <= MAX_HEADER_TEXT ? line : line.substring(0, MAX_HEADER_TEXT - 3) + "...";
    }
}

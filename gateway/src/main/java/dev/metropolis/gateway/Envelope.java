package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The original Metropolis wire form at the gateway, for tasks announced with {@code metropolis.wire =
 * envelope}: query arguments go to the task as lists of values, and its {@code {"code", "data"}}
 * reply becomes the HTTP status and a JSON body of {@code data}.
 */
final class Envelope {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Envelope() {}

    /** An unwrapped reply: the status the task chose and its data as JSON. */
    record Unwrapped(int status, byte[] body) {}

    /** The query as the original sent it: every parameter a list, {@code {}} when there is none. */
    static byte[] query(Map<String, List<String>> parameters) {
        try {
            return JSON.writeValueAsBytes(new LinkedHashMap<>(parameters));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the caller of {@code route} is answered, synchronously or as a job's stored reply: for a
     * task in the original wire form whose reply came back 200, the envelope's code and data; empty
     * otherwise (the reply is relayed as it is).
     */
    static Optional<Unwrapped> answer(TaskRoute route, int status, byte[] reply) {
        return route.envelope() && status == 200 ? unwrap(reply) : Optional.empty();
    }

    /** The status and body of an envelope reply; empty when the reply is not one (relayed as it is). */
    static Optional<Unwrapped> unwrap(byte[] reply) {
        JsonNode envelope;
        try {
            envelope = JSON.readTree(reply);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (envelope == null || !envelope.isObject() || !envelope.path("code").canConvertToInt()
                || !envelope.path("code").isIntegralNumber() || !envelope.has("data")) {
            return Optional.empty();
        }
        int code = envelope.get("code").intValue();
        if (code < 200 || code > 599) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Unwrapped(code, JSON.writeValueAsBytes(envelope.get("data"))));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

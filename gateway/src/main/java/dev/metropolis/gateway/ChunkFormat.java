package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * How a streamed reply is written over HTTP: Server-Sent Events for a client that accepts
 * {@code text/event-stream}, else newline-delimited JSON. A chunk is its reply's body (JSON as it
 * is, text as text in SSE and as a JSON string in NDJSON, bytes base64-encoded).
 */
enum ChunkFormat {
    /** {@code id:} and {@code data:} lines per chunk ({@code event: bytes} for bytes), {@code event: error}, {@code event: end}. */
    SSE("text/event-stream; charset=utf-8"),
    /** One JSON value per line; a failure is a last line with the JSON error body. */
    NDJSON("application/x-ndjson");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String contentType;

    ChunkFormat(String contentType) {
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    /** SSE when the {@code Accept} header names {@code text/event-stream}, else NDJSON. */
    static ChunkFormat forAccept(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream") ? SSE : NDJSON;
    }

    /** One chunk, numbered {@code sequence}, whose reply had {@code contentType} (null for an empty one). */
    byte[] chunk(long sequence, String contentType, byte[] body) {
        boolean json = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
        boolean text = contentType == null || json || contentType.toLowerCase(Locale.ROOT).startsWith("text/");
        if (this == SSE) {
            String data = text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body);
            return event(text ? null : "bytes", Long.toString(sequence), data);
        }
        if (contentType == null) {
            return line("null".getBytes(StandardCharsets.US_ASCII)); // the task yielded None / undefined
        }
        if (json) {
            return line(body.length > 0 && new String(body, StandardCharsets.UTF_8).indexOf('\n') < 0 ? body : compact(body));
        }
        String value = text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body);
        return line(quoted(value));
    }

    /** The stream's failure: its JSON error body, as {@code event: error} or a last line. */
    byte[] error(byte[] errorBody) {
        return this == SSE ? event("error", null, new String(errorBody, StandardCharsets.UTF_8)) : line(errorBody);
    }

    /** The stream's successful end: {@code event: end} with the number of chunks in SSE, nothing in NDJSON. */
    byte[] end(long chunks) {
        return this == SSE ? event("end", null, "{\"chunks\":" + chunks + "}") : new byte[0];
    }

    /** An SSE comment: keeps the connection busy while a chunk is slow, so a client gone is noticed. */
    byte[] heartbeat() {
        return this == SSE ? ":\n\n".getBytes(StandardCharsets.US_ASCII) : new byte[0];
    }

    private static byte[] event(String name, String id, String data) {
        StringBuilder event = new StringBuilder();
        if (name != null) {
            event.append("event: ").append(name).append('\n');
        }
        if (id != null) {
            event.append("id: ").append(id).append('\n');
        }
        for (String line : data.split("\r\n|\r|\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] line(byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 1);
        out.writeBytes(value);
        out.write('\n');
        return out.toByteArray();
    }

    private static byte[] quoted(String text) {
        try {
            return JSON.writeValueAsBytes(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON chunk on one line (ours are compact already; another host's might not be), "null" when empty. */
    private static byte[] compact(byte[] body) {
        if (body.length == 0) {
            return "null".getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return JSON.writeValueAsBytes(JSON.readTree(body));
        } catch (IOException e) {
            return quoted(new String(body, StandardCharsets.UTF_8)); // declared JSON but not: sent as the text it is
        }
    }
}

package dev.metropolis.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One asynchronous invocation of a task, as kept in the jobs bucket and shown by {@code GET /jobs/{id}}.
 * Immutable: each change of state is a new record written over the old one.
 *
 * @param task        the task's name
 * @param subject     the concrete subject the job is sent on
 * @param attempts    deliveries of the job to a task so far (1 while the first runs)
 * @param started     when the latest attempt started, or null while queued the first time
 * @param finished    when it succeeded or failed for good, or null
 * @param reply       the task's reply (or the error that ended the job), or null until finished
 * @param callbackUrl where the result is POSTed when finished, or null
 */
record Job(String id, String task, String subject, State state, int attempts, Instant created, Instant started,
        Instant finished, Reply reply, String callbackUrl) {

    /** Where a job is: waiting for a gateway to run it, running, or finished. */
    enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        boolean finished() {
            return this == SUCCEEDED || this == FAILED;
        }
    }

    /** The task's reply: HTTP status (200, or the error's code), content type and body. */
    record Reply(int status, String contentType, byte[] body) {}

    Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(created, "created");
    }

    static Job queued(String id, String task, String subject, Instant created, String callbackUrl) {
        return new Job(id, task, subject, State.QUEUED, 0, created, null, null, null, callbackUrl);
    }

    Job running(int attempt, Instant now) {
        return new Job(id, task, subject, State.RUNNING, attempt, created, now, null, null, callbackUrl);
    }

    /** Back in the queue after a failed attempt that will be retried. */
    Job requeued(int attempt) {
        return new Job(id, task, subject, State.QUEUED, attempt, created, started, null, null, callbackUrl);
    }

    Job finished(int attempt, Reply result, Instant now) {
        State end = result.status() < 400 ? State.SUCCEEDED : State.FAILED;
        return new Job(id, task, subject, end, attempt, created, started, now, result, callbackUrl);
    }

    /**
     * The JSON shape of {@code GET /jobs/{id}} and of a callback. A body that is UTF-8 text is a
     * string; any other body is base64, said by {@code "body_encoding": "base64"}.
     */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("task", task);
        json.put("subject", subject);
        json.put("state", state.label());
        json.put("attempts", attempts);
        json.put("created", created.toString());
        json.put("started", started == null ? null : started.toString());
        json.put("finished", finished == null ? null : finished.toString());
        if (reply != null) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("status", reply.status());
            answer.put("content_type", reply.contentType());
            String text = utf8(reply.body());
            if (text != null) {
                answer.put("body", text);
            } else {
                answer.put("body", Base64.getEncoder().encodeToString(reply.body()));
                answer.put("body_encoding", "base64");
            }
            json.put("reply", answer);
        } else {
            json.put("reply", null);
        }
        if (callbackUrl != null) {
            json.put("callback_url", callbackUrl);
        }
        return json;
    }

    /** Reads back what {@link #toJson()} wrote. */
    @SuppressWarnings("unchecked")
    static Job fromJson(Map<String, Object> json) {
        Reply reply = null;
        if (json.get("reply") instanceof Map<?, ?> answer) {
            Map<String, Object> r = (Map<String, Object>) answer;
            String body = (String) r.get("body");
            byte[] bytes = "base64".equals(r.get("body_encoding")) ? Base64.getDecoder().decode(body)
                    : body.getBytes(StandardCharsets.UTF_8);
            reply = new Reply(((Number) r.get("status")).intValue(), (String) r.get("content_type"), bytes);
        }
        return new Job((String) json.get("id"), (String) json.get("task"), (String) json.get("subject"),
                State.valueOf(((String) json.get("state")).toUpperCase(java.util.Locale.ROOT)),
                ((Number) json.get("attempts")).intValue(), instant(json.get("created")), instant(json.get("started")),
                instant(json.get("finished")), reply, (String) json.get("callback_url"));
    }

    private static Instant instant(Object value) {
        return value == null ? null : Instant.parse((String) value);
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

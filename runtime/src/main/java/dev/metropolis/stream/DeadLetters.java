package dev.metropolis.stream;

import dev.metropolis.task.TaskError;
import dev.metropolis.task.WireHeaders;
import io.nats.client.impl.Headers;
import java.util.List;
import java.util.Map;

/**
 * The message published to a task's dead-letter subject: the original payload and headers, plus
 * the failure and where the message came from, in {@code Metropolis-Dead-*} headers.
 */
public final class DeadLetters {
    public static final String TASK = "Metropolis-Dead-Task";
    public static final String STREAM = "Metropolis-Dead-Stream";
    public static final String SUBJECT = "Metropolis-Dead-Subject";
    public static final String SEQUENCE = "Metropolis-Dead-Sequence";
    public static final String DELIVERIES = "Metropolis-Dead-Deliveries";
    public static final String KIND = "Metropolis-Dead-Kind";
    public static final String CODE = "Metropolis-Dead-Code";
    public static final String MESSAGE = "Metropolis-Dead-Message";

    private DeadLetters() {}

    /**
     * The dead letter's headers. Its {@code Nats-Msg-Id} names the original (stream and sequence),
     * so publishing it again after a lost acknowledgement stores it once.
     *
     * @param original the headers the message was delivered with
     */
    public static Headers headers(Map<String, List<String>> original, String task, String stream, String subject,
            long sequence, TaskError failure, long deliveries) {
        Headers headers = new Headers();
        original.forEach((name, values) -> {
            if (!name.equalsIgnoreCase(WireHeaders.MSG_ID)) {
                headers.add(name, values);
            }
        });
        headers.put(WireHeaders.MSG_ID, "dead:" + stream + ":" + sequence);
        headers.put(TASK, task);
        headers.put(STREAM, stream);
        headers.put(SUBJECT, subject);
        headers.put(SEQUENCE, Long.toString(sequence));
        headers.put(DELIVERIES, Long.toString(deliveries));
        headers.put(KIND, failure.kind().label());
        headers.put(CODE, Integer.toString(failure.code()));
        // Header values are one line: a traceback's line breaks become " | ".
        headers.put(MESSAGE, failure.getMessage() == null ? "" : failure.getMessage().replaceAll("\\R+", " | "));
        return headers;
    }
}

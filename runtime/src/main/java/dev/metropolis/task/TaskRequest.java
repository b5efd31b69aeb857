package dev.metropolis.task;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message for a task, independent of the transport it came from.
 *
 * @param subject the subject the message was published on
 * @param replyTo where the reply goes, or null for fire-and-forget
 * @param headers message headers in arrival order (a name may carry several values)
 * @param data    the raw payload
 */
public record TaskRequest(String subject, String replyTo, Map<String, List<String>> headers, byte[] data) {

    public TaskRequest {
        Objects.requireNonNull(subject, "subject");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        Objects.requireNonNull(data, "data");
    }

    /** The first value of a header, matched case-insensitively as HTTP does, or null. */
    public String header(String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return entry.getValue().getFirst();
            }
        }
        return null;
    }
}

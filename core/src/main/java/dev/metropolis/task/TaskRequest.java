package dev.metropolis.task;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
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
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
        Objects.requireNonNull(data, "data");
    }

    /**
     * The timeout for this message: the task's own, or shorter when the caller asked for less
     * with {@link WireHeaders#TIMEOUT}. Unreadable values are ignored.
     */
    public Duration timeout(Duration taskTimeout) {
        return WireHeaders.parseTimeout(header(WireHeaders.TIMEOUT))
                .filter(requested -> requested.compareTo(taskTimeout) < 0)
                .orElse(taskTimeout);
    }

    /** The first value of a header, matched case-insensitively as HTTP does, or null. */
    public String header(String name) {
        List<String> exact = headers.get(name); // the usual case: sent as spelled here
        if (exact != null && !exact.isEmpty()) {
            return exact.getFirst();
        }
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return entry.getValue().getFirst();
            }
        }
        return null;
    }
}

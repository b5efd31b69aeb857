package dev.metropolis.task;

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

    /** Header a caller (the gateway) sets to shorten a task's timeout for one message, in milliseconds. */
    public static final String TIMEOUT_HEADER = "Metropolis-Timeout";
    /** Headers the gateway sets so a task can see the HTTP request behind a message. */
    public static final String METHOD_HEADER = "Metropolis-Method";
    public static final String PATH_HEADER = "Metropolis-Path";

    /**
     * The timeout for this message: the task's own, or shorter when the caller asked for less
     * with {@link #TIMEOUT_HEADER}. Unreadable values are ignored.
     */
    public java.time.Duration timeout(java.time.Duration taskTimeout) {
        String requested = header(TIMEOUT_HEADER);
        if (requested == null) {
            return taskTimeout;
        }
        try {
            long millis = Long.parseLong(requested.trim());
            return millis > 0 && millis < taskTimeout.toMillis() ? java.time.Duration.ofMillis(millis) : taskTimeout;
        } catch (NumberFormatException e) {
            return taskTimeout;
        }
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

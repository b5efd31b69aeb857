package dev.metropolis.guest;

import dev.metropolis.task.TaskRequest;
import dev.metropolis.task.WireHeaders;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The message a context is handling right now, as the host functions a task calls see it: its
 * deadline (a call never outlives its caller) and what travels on with each call (request id,
 * trace context, hop count). A context serves one message at a time, so one scope per context.
 */
final class CallScope {
    private TaskRequest request;
    private long deadline;

    /** The context starts handling {@code request}, which must be answered within {@code remaining}. */
    void enter(TaskRequest request, Duration remaining) {
        this.request = request;
        this.deadline = System.nanoTime() + remaining.toNanos();
    }

    void exit() {
        request = null;
    }

    /** Time left until the message's deadline (zero or negative when it has passed). */
    Duration remaining() {
        return Duration.ofNanos(deadline - System.nanoTime());
    }

    /** How many calls led to the message being handled. */
    int hops() {
        return request == null ? 0 : WireHeaders.hops(request.header(WireHeaders.HOPS));
    }

    /** The headers a call from this message carries on: request id and trace context, as received. */
    Map<String, List<String>> propagated() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (request != null) {
            for (String name : WireHeaders.CORRELATION) {
                String value = request.header(name);
                if (value != null) {
                    headers.put(name, List.of(value));
                }
            }
        }
        return headers;
    }

    /** The request id of the message being handled, or null. */
    String requestId() {
        return request == null ? null : request.header(WireHeaders.REQUEST_ID);
    }

    /** The subject of the message being handled, for messages. */
    String subject() {
        return request == null ? "" : request.subject();
    }
}

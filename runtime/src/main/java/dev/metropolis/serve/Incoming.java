package dev.metropolis.serve;

import dev.metropolis.logging.RequestIds;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Message;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/** What every binding (request/reply services, stream consumers) does with a message it takes and with a call's failure. */
public final class Incoming {
    private Incoming() {}

    /** The message's headers in arrival order, as a map the binding may add to, with a request id when the caller sent none. */
    public static Map<String, List<String>> headers(Message message) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        boolean hasRequestId = false;
        if (message.hasHeaders()) {
            for (Map.Entry<String, List<String>> header : message.getHeaders().entrySet()) {
                copy.put(header.getKey(), Collections.unmodifiableList(header.getValue()));
                hasRequestId |= header.getKey().equalsIgnoreCase(WireHeaders.REQUEST_ID);
            }
        }
        if (!hasRequestId) {
            copy.put(WireHeaders.REQUEST_ID, List.of(RequestIds.next()));
        }
        return copy;
    }

    /** A runner's failure as the caller sees it: the task's own error, or a crash naming what went wrong. */
    public static TaskError failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof TaskError taskError ? taskError : TaskError.of(ErrorKind.CRASHED, "internal error: " + cause);
    }
}

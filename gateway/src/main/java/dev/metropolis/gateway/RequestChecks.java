package dev.metropolis.gateway;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.HttpRoute;
import dev.metropolis.task.TaskError;
import java.util.List;

/**
 * What a request must be before it is looked up and sent to a task: one of the documented methods,
 * a path that makes a valid NATS subject (printable ASCII, not too long). Pure functions of the
 * request line, so each refusal is a 4xx that says why, never a failure deep in the NATS client.
 */
final class RequestChecks {
    /** The methods that reach tasks, for the {@code Allow} header of a 405. */
    static final String ALLOWED = String.join(", ", List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
    /** The longest subject a path may become: NATS limits a whole protocol line (subject, inbox, sizes) to 4 KiB. */
    static final int MAX_SUBJECT = 1024;

    private RequestChecks() {}

    /** The refusal of this method and decoded path, or null when the request may go on. */
    static TaskError refusal(String method, String path) {
        if (!HttpRoute.METHODS.contains(method)) {
            return TaskError.of(ErrorKind.METHOD_NOT_ALLOWED, method + " is not served; tasks take " + ALLOWED);
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return TaskError.of(ErrorKind.BAD_PAYLOAD, "the path has a character that cannot be part of a NATS subject"
                        + " (" + describe(c) + " at position " + i + " once percent-decoded); subjects, and so paths,"
                        + " are printable ASCII without spaces");
            }
        }
        if (path.length() > MAX_SUBJECT) {
            return TaskError.of(ErrorKind.TOO_LARGE, 414, "the path has " + path.length()
                    + " characters; a task's subject can have at most " + MAX_SUBJECT);
        }
        return null;
    }

    private static String describe(char c) {
        return c < 0x21 ? String.format("control or space U+%04X", (int) c) : String.format("non-ASCII U+%04X", (int) c);
    }
}

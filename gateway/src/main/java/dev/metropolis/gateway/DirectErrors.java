package dev.metropolis.gateway;

import dev.metropolis.nats.Replies;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * The answers Helidon gives by itself, without reaching the gateway's routing: a body over
 * {@code maxPayloadSize} (413), more than {@code maxConcurrentRequests} in flight (503), a
 * malformed request line or header (400), a request line too long (414), an exception no handler
 * caught (500), a path under {@code /observe/} that nothing serves (404). They get the same JSON error body as every other gateway error, with Helidon's
 * status unchanged, so a client reads one error format whoever refused it.
 */
final class DirectErrors implements DirectHandler {
    private static final String RETRY_AFTER_SECONDS = "1";

    private final long maxBodyBytes;
    private final int maxInFlight;

    private DirectErrors(long maxBodyBytes, int maxInFlight) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxInFlight = maxInFlight;
    }

    /** Direct handlers answering every event type in the JSON error format; the limits go into the messages. */
    static DirectHandlers handlers(long maxBodyBytes, int maxInFlight) {
        DirectErrors errors = new DirectErrors(maxBodyBytes, maxInFlight);
        DirectHandlers.Builder builder = DirectHandlers.builder();
        // The status, not the event type, says what happened: Helidon reports a body over the
        // limit and a request line too long as BAD_REQUEST events with a 413 or 414 status.
        for (EventType type : EventType.values()) {
            builder.addHandler(type, errors);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
            ServerResponseHeaders responseHeaders, String message) {
        int code = defaultStatus.code();
        if (!ErrorKind.isErrorCode(code)) {
            // Not a refusal (Helidon uses direct handlers for errors only): nothing to translate.
            return DirectHandler.defaultHandler().handle(request, eventType, defaultStatus, responseHeaders, message);
        }
        TaskError error = error(defaultStatus);
        if (error.kind() == ErrorKind.UNAVAILABLE || error.kind() == ErrorKind.BUSY) {
            responseHeaders.set(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        responseHeaders.set(HeaderNames.CONTENT_TYPE, TaskReply.JSON);
        return TransportResponse.builder()
                .status(defaultStatus)
                .headers(responseHeaders)
                .entity(Replies.errorBody(error, null, null))
                .build();
    }

    /**
     * The error for a status Helidon chose. Helidon's own message is left out: it passes one only
     * when its error handling is configured to show it, and a placeholder otherwise; these name the limit.
     */
    TaskError error(Status status) {
        int code = status.code();
        return switch (code) {
            case 400 -> TaskError.of(ErrorKind.BAD_PAYLOAD, "the request is not valid HTTP/1.1 (its request line or a header)");
            // Helidon's 404 (a path under /observe/ no endpoint serves) is the gateway's no_route, not a task's rejection.
            case 404 -> TaskError.of(ErrorKind.NO_ROUTE, "nothing serves this path; GET /tasks lists the routes");
            case 405 -> TaskError.of(ErrorKind.METHOD_NOT_ALLOWED, "this path is not served with this method");
            case 413 -> TaskError.of(ErrorKind.TOO_LARGE, "the request body is over the limit of " + maxBodyBytes + " bytes");
            case 414 -> TaskError.of(ErrorKind.TOO_LARGE, 414, "the request line (method and URI) is too long");
            case 431 -> TaskError.of(ErrorKind.TOO_LARGE, 431, "the request headers are too large");
            case 503 -> TaskError.of(ErrorKind.UNAVAILABLE, "the gateway is handling " + maxInFlight
                    + " requests already (--max-in-flight); retry shortly");
            case 500 -> TaskError.of(ErrorKind.CRASHED, "the gateway failed on this request; its log says why");
            default -> TaskError.of(ErrorKind.forCode(code), code, code + " " + status.reasonPhrase());
        };
    }
}

package dev.metropolis.trace;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * What Metropolis spans have in common: attribute names (OpenTelemetry's semantic conventions
 * where one fits, {@code metropolis.*} otherwise) and how an outcome ends a span.
 */
public final class Spans {
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation.name");
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    /** The subject as declared when it has wildcards ({@code orders.*}), beside the concrete one. */
    public static final AttributeKey<String> DESTINATION_TEMPLATE = AttributeKey.stringKey("messaging.destination.template");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    public static final AttributeKey<String> TASK = AttributeKey.stringKey("metropolis.task");
    public static final AttributeKey<String> LANGUAGE = AttributeKey.stringKey("metropolis.language");
    /** "ok" or the error kind ({@code rejected}, {@code timed_out}, ...), as in the metrics' outcome label. */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("metropolis.outcome");
    public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("metropolis.request_id");
    public static final String NATS = "nats";

    private Spans() {}

    /**
     * Records a message's outcome and ends the span. Only 5xx outcomes mark the span as an error:
     * a refused request (4xx) is the caller's mistake, not a failure to trace.
     *
     * @param kind    the error kind, or null for a success
     * @param code    the status code (NATS error code = HTTP status)
     * @param message the error message, or null
     */
    public static void end(Span span, ErrorKind kind, int code, String message) {
        span.setAttribute(OUTCOME, kind == null ? "ok" : kind.label());
        if (kind != null) {
            span.setAttribute(ERROR_TYPE, kind.label());
            if (ErrorKind.isServerError(code)) {
                span.setStatus(StatusCode.ERROR, message == null ? "" : message);
            }
        }
        span.end();
    }

    /** Ends the span with a task's outcome: {@code failure}, or a success when null. */
    public static void end(Span span, TaskError failure) {
        if (failure == null) {
            end(span, null, 0, null);
        } else {
            end(span, failure.kind(), failure.code(), failure.getMessage());
        }
    }
}

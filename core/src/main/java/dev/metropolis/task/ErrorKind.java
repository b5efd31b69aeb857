package dev.metropolis.task;

import java.util.Locale;

/**
 * Every way a task can fail to produce a result, with the status code it maps to. The same code
 * goes into the NATS {@code Nats-Service-Error-Code} header and becomes the gateway's HTTP status,
 * so this enum is the one table both sides share: code, label ({@code "timed_out"}, as in the JSON
 * error body, the metrics' {@code outcome} label and the spans) and whether it is the server's fault.
 */
public enum ErrorKind {
    /** The task refused the message with a code of its choosing (a TaskError in the script). */
    REJECTED(400),
    /** The payload could not be decoded as declared (e.g. content type JSON, body not JSON). */
    BAD_PAYLOAD(400),
    /** The caller sent no credential, or one the gateway could not verify (gateway; with WWW-Authenticate). */
    UNAUTHENTICATED(401),
    /** The caller is known but not allowed to call this task (gateway). */
    FORBIDDEN(403),
    /** No task serves the HTTP route asked for (gateway). */
    NO_ROUTE(404),
    /** A task serves the route, but not with this HTTP method (gateway). */
    METHOD_NOT_ALLOWED(405),
    /** The input does not match the task's input schema (its header's {@code input}); the body lists each violation. */
    INVALID_INPUT(422),
    /** The payload exceeds the size limit. */
    TOO_LARGE(413),
    /** Every context is busy and the waiting queue is full. Retry later. */
    BUSY(429),
    /** The caller exceeded the route's rate limit (gateway; with Retry-After and RateLimit-* headers). */
    RATE_LIMITED(429),
    /** The script raised an exception, returned something unsendable, or its context failed. */
    CRASHED(500),
    /** Nobody serves the subject right now (no responders, script stopping). */
    UNAVAILABLE(503),
    /** The task did not finish within its timeout and was interrupted. */
    TIMED_OUT(504);

    private final int defaultCode;
    private final String label;

    ErrorKind(int defaultCode) {
        this.defaultCode = defaultCode;
        this.label = name().toLowerCase(Locale.ROOT);
    }

    /** The status code used unless the task chose one (only {@link #REJECTED} lets it choose). */
    public int defaultCode() {
        return defaultCode;
    }

    /** The kind's name on the wire and in metrics and spans: {@code "timed_out"}. */
    public String label() {
        return label;
    }

    /** The kind with this {@link #label()}, or null when no kind has it. */
    public static ErrorKind ofLabel(String label) {
        for (ErrorKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        return null;
    }

    /**
     * Whether a status code is the server's failure (5xx) rather than the caller's (4xx): only
     * these mark spans as errors and are logged as warnings.
     */
    public static boolean isServerError(int code) {
        return code >= 500;
    }

    /** Whether a status code is an error a caller can be told: 400 to 599. */
    public static boolean isErrorCode(int code) {
        return code >= 400 && code <= 599;
    }

    /** The kind a received error code stands for, e.g. when the gateway reads a NATS error reply. */
    public static ErrorKind forCode(int code) {
        return switch (code) {
            case 413 -> TOO_LARGE;
            case 429 -> BUSY;
            case 503 -> UNAVAILABLE;
            case 504 -> TIMED_OUT;
            default -> isErrorCode(code) && !isServerError(code) ? REJECTED : CRASHED;
        };
    }
}

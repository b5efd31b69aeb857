package dev.metropolis.task;

import java.util.List;
import java.util.Objects;

/** A task's failure as the caller will see it: a kind, a status code and a message a person can act on. */
public final class TaskError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final int code;
    private final List<Violation> violations;
    private final TaskReply answer;

    private TaskError(ErrorKind kind, int code, String message) {
        this(kind, code, message, List.of(), null);
    }

    private TaskError(ErrorKind kind, int code, String message, List<Violation> violations, TaskReply answer) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.code = code;
        this.violations = List.copyOf(violations);
        this.answer = answer;
    }

    /** An input that breaks its task's schema: 422, the message naming each violation, the list kept for the body. */
    public static TaskError invalidInput(String message, List<Violation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid input has at least one violation");
        }
        return new TaskError(ErrorKind.INVALID_INPUT, ErrorKind.INVALID_INPUT.defaultCode(), message, violations, null);
    }

    /** An error of the given kind with its default code. */
    public static TaskError of(ErrorKind kind, String message) {
        return new TaskError(kind, kind.defaultCode(), message);
    }

    /**
     * An error of the given kind with another code than its default, e.g. a 414 that is
     * {@link ErrorKind#TOO_LARGE}: the code is what the caller is told, the kind what it means.
     */
    public static TaskError of(ErrorKind kind, int code, String message) {
        if (!ErrorKind.isErrorCode(code)) {
            throw new IllegalArgumentException("an error code is 400-599, got " + code);
        }
        return new TaskError(kind, code, message);
    }

    /**
     * An error code chosen by the task itself. Codes outside 400-599 are not errors a caller can
     * act on, so they become crashes that say so.
     */
    public static TaskError rejected(int code, String message) {
        if (!ErrorKind.isErrorCode(code)) {
            return of(ErrorKind.CRASHED, message + " (the task raised TaskError with code " + code
                    + "; use a code from 400 to 599)");
        }
        return new TaskError(ErrorKind.isServerError(code) ? ErrorKind.forCode(code) : ErrorKind.REJECTED, code, message);
    }

    /** The same error (kind and code) with another message, e.g. with a secret's value redacted. */
    public static TaskError withMessage(TaskError error, String message) {
        return new TaskError(error.kind, error.code, message, error.violations, error.answer);
    }

    /**
     * The same error answered with {@code reply} instead of the error form: the original Metropolis
     * wire's {@code {"code": 500, "data": ...}} envelope, a reply to the caller and a failure to
     * everything that counts (the service's stats, the metrics, the span, a stream's redelivery).
     */
    public TaskError answeredWith(TaskReply reply) {
        return new TaskError(kind, code, getMessage(), violations, Objects.requireNonNull(reply, "reply"));
    }

    /** The reply the caller gets in place of the error form (see {@link #answeredWith}); null for most errors. */
    public TaskReply answer() {
        return answer;
    }

    /** The schema violations of an {@link ErrorKind#INVALID_INPUT} error; empty for other errors. */
    public List<Violation> violations() {
        return violations;
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Status code: NATS {@code Nats-Service-Error-Code} and HTTP status. */
    public int code() {
        return code;
    }
}

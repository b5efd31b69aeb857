package dev.metropolis.logging;


/**
 * What a log line is about: the task, subject, request id and trace id of the message being
 * handled on this thread. Set around each message, read by the JSON log format.
 *
 * @param task      the task's name, or null
 * @param subject   the message's subject, or null
 * @param requestId the caller's request id ({@code X-Request-Id}), or null
 * @param traceId   the W3C trace id from {@code traceparent}, or null
 */
public record LogContext(String task, String subject, String requestId, String traceId) {
    private static final ThreadLocal<LogContext> CURRENT = new ThreadLocal<>();

    /** The context of the message handled on this thread, or null. */
    public static LogContext current() {
        return CURRENT.get();
    }

    /** Makes {@code context} current until the returned scope closes (which restores the previous one). */
    public static Scope open(LogContext context) {
        LogContext previous = CURRENT.get();
        CURRENT.set(context);
        return () -> CURRENT.set(previous);
    }

    /** The context of a message, from its request id and {@code traceparent} headers (either may be null). */
    public static LogContext of(String task, String subject, String requestId, String traceparent) {
        return new LogContext(task, subject, requestId, traceId(traceparent));
    }

    /** The trace id of a W3C {@code traceparent} ("00-<trace id>-<span id>-<flags>"), or null. */
    public static String traceId(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        String[] parts = traceparent.trim().split("-");
        return parts.length >= 4 && parts[1].length() == 32 ? parts[1] : null;
    }

    /** Restores the previous context on close. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}

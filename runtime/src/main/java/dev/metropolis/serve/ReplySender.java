package dev.metropolis.serve;

import dev.metropolis.nats.Replies;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a task's answer: its reply, or its failure in the micro-service error form, with the
 * caller's correlation headers echoed. A reply the server would refuse (over its
 * {@code max_payload}, headers included) is turned into a {@code too_large} error before it is
 * counted, so the caller always gets an answer; a publish that still fails is counted and logged
 * with the request id. Failures are logged here, since a fire-and-forget one is heard of nowhere else.
 */
final class ReplySender {
    // The log lines keep the logger they had when TaskService sent replies itself: log filters name it.
    private static final Logger LOG = Logger.getLogger(TaskService.class.getName());

    private final Connection connection;
    private final LongSupplier maxPayload;
    private final Runnable publishFailed;

    /**
     * @param maxPayload    the largest message the server takes, headers included
     * @param publishFailed counts a reply that could not be published
     */
    ReplySender(Connection connection, LongSupplier maxPayload, Runnable publishFailed) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.maxPayload = Objects.requireNonNull(maxPayload, "maxPayload");
        this.publishFailed = Objects.requireNonNull(publishFailed, "publishFailed");
    }

    /** A sender limited by the connection's server. */
    ReplySender(Connection connection, Runnable publishFailed) {
        this(connection, connection::getMaxPayload, publishFailed);
    }

    /** What goes out on the reply subject, decided before it is counted. */
    record Outgoing(TaskError failure, Headers headers, byte[] body) {}

    /**
     * The message answering {@code request}: {@code reply} when {@code failure} is null, else the
     * failure; either becomes a {@code too_large} error when it would not fit in a NATS message.
     */
    Outgoing prepare(String task, TaskRequest request, TaskReply reply, TaskError failure) {
        Outgoing outgoing = encode(task, request, reply, failure);
        long limit = maxPayload.getAsLong();
        long size = (long) outgoing.headers().serializedLength() + outgoing.body().length;
        if (limit <= 0 || size <= limit) {
            return outgoing;
        }
        String what = failure == null ? "result" : "error reply";
        return encode(task, request, null, TaskError.of(ErrorKind.TOO_LARGE, "task '" + task + "' on '" + request.subject()
                + "': its " + what + " is " + size + " bytes with headers, over the NATS server's max_payload of " + limit
                + " bytes; return less (or store it elsewhere and return a reference), or raise max_payload"));
    }

    private static Outgoing encode(String task, TaskRequest request, TaskReply reply, TaskError failure) {
        // A failure the task answered in its own wire form goes out as that reply.
        TaskReply answer = failure == null ? reply : failure.answer();
        return answer != null
                ? new Outgoing(failure, correlated(Replies.headers(answer), request), answer.body())
                : new Outgoing(failure, correlated(Replies.errorHeaders(failure), request),
                        Replies.errorBody(failure, task, request.subject()));
    }

    /** Publishes a prepared answer. A request without a reply subject gets nothing (its failure is logged). */
    void send(String task, TaskRequest request, Outgoing outgoing) {
        if (outgoing.failure() != null && outgoing.failure().answer() == null) { // the adapter logged an answered one
            logFailure(task, request, outgoing.failure());
        }
        if (request.replyTo() == null) {
            return;
        }
        try {
            connection.publish(request.replyTo(), outgoing.headers(), outgoing.body());
        } catch (RuntimeException e) {
            // Connection lost or closed: nobody can be told, so it is counted and logged where it can be traced.
            publishFailed.run();
            LOG.log(Level.WARNING, "could not send the reply for task ''{0}'' on ''{1}'' (request id {2}): {3}",
                    new Object[] {task, request.subject(), request.header(WireHeaders.REQUEST_ID), e.toString()});
        }
    }

    /** Errors are logged with their context; a task's own refusals (4xx) are the caller's business. */
    private static void logFailure(String task, TaskRequest request, TaskError failure) {
        Level level = ErrorKind.isServerError(failure.code()) ? Level.WARNING : Level.FINE;
        if (request.replyTo() == null) {
            level = Level.WARNING; // nobody else will ever hear of it
        }
        LOG.log(level, "task ''{0}'' on ''{1}''{2}: {3} {4}", new Object[] {task, request.subject(),
            request.replyTo() == null ? " (fire-and-forget)" : "", failure.code(), failure.getMessage()});
    }

    /** Reply headers that let the caller correlate: the request id and the trace context, echoed. */
    private static Headers correlated(Headers reply, TaskRequest request) {
        for (String name : WireHeaders.CORRELATION) {
            String value = request.header(name);
            if (value != null) {
                reply.put(name, value);
            }
        }
        return reply;
    }
}

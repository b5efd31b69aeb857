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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a task's answer: its reply, or its failure in the micro-service error form, with the
 * caller's correlation headers echoed. Failures are logged here, since a fire-and-forget one is
 * heard of nowhere else.
 */
final class ReplySender {
    // The log lines keep the logger they had when TaskService sent replies itself: log filters name it.
    private static final Logger LOG = Logger.getLogger(TaskService.class.getName());

    private final Connection connection;

    ReplySender(Connection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /**
     * Answers {@code request} of task {@code task}: with {@code reply} when {@code failure} is null,
     * else with the failure. A request without a reply subject gets nothing (its failure is logged).
     */
    void send(String task, TaskRequest request, TaskReply reply, TaskError failure) {
        if (failure != null) {
            logFailure(task, request, failure);
        }
        if (request.replyTo() == null) {
            return;
        }
        try {
            if (failure == null) {
                connection.publish(request.replyTo(), correlated(Replies.headers(reply), request), reply.body());
            } else {
                connection.publish(request.replyTo(), correlated(Replies.errorHeaders(failure), request),
                        Replies.errorBody(failure, task, request.subject()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not send the reply for task ''{0}'' on ''{1}'': {2}",
                    new Object[] {task, request.subject(), e.toString()});
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

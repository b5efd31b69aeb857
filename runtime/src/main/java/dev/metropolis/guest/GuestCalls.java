package dev.metropolis.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.NoResponders;
import dev.metropolis.nats.Replies;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Durations;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.trace.Spans;
import dev.metropolis.trace.Tracing;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The host end of {@code metropolis.request} and {@code metropolis.publish}: a task's calls to
 * other tasks over NATS, within its grants and its own deadline. What a call answers is a plain
 * Java value the adapter turns into the guest's result or a {@code CallError}.
 */
final class GuestCalls {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The status of a call chain deeper than {@link WireHeaders#MAX_HOPS}: HTTP's "Loop Detected". */
    static final int LOOP_DETECTED = 508;

    private final TaskScript script;
    private final Supplier<Connection> nats;
    private final Tracing tracing;
    private final GuestLanguage language;

    GuestCalls(TaskScript script, Supplier<Connection> nats, Tracing tracing, GuestLanguage language) {
        this.script = script;
        this.nats = nats;
        this.tracing = tracing;
        this.language = language;
    }

    /** What a call came to: a reply, an error reply (or no reply), or a refusal before anything was sent. */
    sealed interface Outcome {}

    /** A reply, decoded by its content type as a task's own body is. */
    record Answered(Payload payload, byte[] data) implements Outcome {}

    /** The callee (or the network) failed: becomes a {@code CallError} in the guest. */
    record Failed(int code, String kind, String message) implements Outcome, GuestHttp.Outcome {}

    /** Not sent: a grant is missing or an argument is wrong; names what to change. */
    record Refused(String message) implements Outcome, GuestHttp.Outcome {}

    /** The raw payload in the form the guest's adapter reads it. */
    Object raw(Answered answer) {
        return language.rawArgument(answer.data(), answer.payload());
    }

    /**
     * Sends {@code body} to {@code subject} and waits for the reply, at most {@code timeout} (null:
     * as long as the caller's deadline allows) and never past the caller's deadline.
     */
    Outcome request(CallScope scope, String subject, TaskReply body, Duration timeout, Map<String, String> headers) {
        Refused refused = check(subject);
        if (refused != null) {
            return refused;
        }
        int hops = scope.hops() + 1;
        if (hops > WireHeaders.MAX_HOPS) {
            return new Failed(LOOP_DETECTED, ErrorKind.CRASHED.label(), "task '" + script.name() + "' would call '"
                    + subject + "' as call " + hops + " of one chain; at most " + WireHeaders.MAX_HOPS
                    + " calls may follow each other (is there a loop, a task calling itself?)");
        }
        Duration remaining = scope.remaining();
        Duration wait = timeout == null || timeout.compareTo(remaining) > 0 ? remaining : timeout;
        if (wait.toMillis() <= 0) {
            return new Failed(504, ErrorKind.TIMED_OUT.label(), "no time left to call '" + subject
                    + "': the message's deadline has passed");
        }
        Connection connection = nats.get();
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            return new Failed(503, ErrorKind.UNAVAILABLE.label(), "cannot call '" + subject
                    + "': the host is not connected to NATS right now");
        }
        Span span = startSpan(scope, subject, "request");
        Headers sent = headers(scope, span, body, headers, hops);
        sent.put(WireHeaders.TIMEOUT, WireHeaders.timeoutValue(wait));
        Outcome outcome = send(connection, subject, sent, body.body(), wait);
        endSpan(span, outcome);
        return outcome;
    }

    private Outcome send(Connection connection, String subject, Headers headers, byte[] body, Duration wait) {
        try {
            Message reply = connection.requestWithTimeout(subject, headers, body, wait).get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return answer(subject, reply);
        } catch (ExecutionException e) {
            if (NoResponders.is(e.getCause())) {
                return new Failed(503, ErrorKind.UNAVAILABLE.label(), "no task serves '" + subject + "' right now");
            }
            if (e.getCause() instanceof CancellationException || e.getCause() instanceof TimeoutException) {
                return noReply(subject, wait);
            }
            return new Failed(503, ErrorKind.UNAVAILABLE.label(), "the call to '" + subject + "' failed: " + e.getCause());
        } catch (TimeoutException | CancellationException e) {
            return noReply(subject, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the task's own deadline: the watchdog stops the task
            return noReply(subject, wait);
        }
    }

    private static Failed noReply(String subject, Duration wait) {
        return new Failed(504, ErrorKind.TIMED_OUT.label(), "'" + subject + "' sent no reply within "
                + Durations.format(wait.truncatedTo(ChronoUnit.MILLIS)));
    }

    private static Outcome answer(String subject, Message reply) {
        return Replies.error(reply)
                .<Outcome>map(error -> failed(subject, error, reply.getData()))
                .orElseGet(() -> decoded(subject, reply));
    }

    private static Outcome decoded(String subject, Message reply) {
        try {
            return new Answered(Payload.classify(Replies.header(reply, WireHeaders.CONTENT_TYPE), reply.getData()), reply.getData());
        } catch (TaskError e) {
            return new Failed(502, ErrorKind.CRASHED.label(), "'" + subject + "' answered: " + e.getMessage());
        }
    }

    /** An error reply: its code, and the kind and full message from its JSON body when it has one. */
    private static Failed failed(String subject, Replies.ReceivedError error, byte[] body) {
        String kind = error.kind().label();
        String message = error.message();
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.hasNonNull("error")) {
                message = json.get("error").asText();
                if (json.hasNonNull("kind") && ErrorKind.ofLabel(json.get("kind").asText()) != null) {
                    kind = json.get("kind").asText();
                }
            }
        } catch (IOException e) {
            // not our JSON error body: the header's message stands
        }
        return new Failed(error.code(), kind, message.isEmpty() ? "'" + subject + "' answered error " + error.code() : message);
    }

    /** Publishes {@code body} on {@code subject} without waiting for anything; null, or the refusal. */
    Refused publish(CallScope scope, String subject, TaskReply body, Map<String, String> headers) {
        Refused refused = check(subject);
        if (refused != null) {
            return refused;
        }
        Connection connection = nats.get();
        if (connection == null) {
            return new Refused("cannot publish to '" + subject + "': the host is not connected to NATS yet");
        }
        Span span = startSpan(scope, subject, "publish");
        connection.publish(subject, headers(scope, span, body, headers, scope.hops() + 1), body.body());
        span.end();
        return null;
    }

    private Refused check(String subject) {
        if (!dev.metropolis.nats.Subjects.isConcrete(subject)) {
            return new Refused("'" + subject + "' is not a subject a message can be sent to: tokens separated by"
                    + " single dots, no wildcards ('*', '>') or spaces");
        }
        if (!script.header().allow().allowsSubject(subject)) {
            return new Refused(script.refusal("send to subject '" + subject + "'", "subjects", subject)
                    + " (wildcards such as \"" + wildcardOf(subject) + "\" work too)");
        }
        return null;
    }

    private static String wildcardOf(String subject) {
        int dot = subject.lastIndexOf('.');
        return dot < 0 ? ">" : subject.substring(0, dot) + ".*";
    }

    private Headers headers(CallScope scope, Span span, TaskReply body, Map<String, String> extra, int hops) {
        Map<String, List<String>> carried = scope.propagated();
        tracing.inject(Context.current().with(span), carried); // replaces the caller's traceparent with the call's
        Headers headers = new Headers();
        extra.forEach(headers::put);
        carried.forEach(headers::put);
        if (body.contentType() != null) {
            headers.put(WireHeaders.CONTENT_TYPE, body.contentType());
        }
        headers.put(WireHeaders.HOPS, Integer.toString(hops));
        return headers;
    }

    private Span startSpan(CallScope scope, String subject, String operation) {
        Context parent = tracing.extract(scope.propagated());
        return tracing.tracer().spanBuilder(operation + " " + subject)
                .setParent(parent)
                .setSpanKind(operation.equals("request") ? SpanKind.CLIENT : SpanKind.PRODUCER)
                .setAttribute(Spans.MESSAGING_SYSTEM, Spans.NATS)
                .setAttribute(Spans.MESSAGING_OPERATION, operation)
                .setAttribute(Spans.DESTINATION, subject)
                .setAttribute(Spans.TASK, script.name())
                .startSpan();
    }

    private static void endSpan(Span span, Outcome outcome) {
        if (outcome instanceof Failed failed) {
            ErrorKind kind = ErrorKind.ofLabel(failed.kind());
            Spans.end(span, kind == null ? ErrorKind.forCode(failed.code()) : kind, failed.code(), failed.message());
        } else {
            Spans.end(span, null);
        }
    }
}

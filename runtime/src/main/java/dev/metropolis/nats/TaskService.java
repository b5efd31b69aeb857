package dev.metropolis.nats;

import dev.metropolis.logging.LogContext;
import dev.metropolis.logging.RequestIds;
import dev.metropolis.metrics.TaskMetrics;
import dev.metropolis.metrics.TaskMetrics.TaskLabels;
import dev.metropolis.runner.TaskRunner;
import dev.metropolis.script.ScriptHeader;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.trace.Spans;
import dev.metropolis.trace.Tracing;
import io.nats.client.Connection;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.Tag;
import io.nats.client.impl.Headers;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One script published as a NATS micro service: an endpoint per subject in the script's queue
 * group, visible to {@code $SRV.PING/INFO/STATS} with its language and version in the metadata.
 */
public final class TaskService {
    private static final Logger LOG = Logger.getLogger(TaskService.class.getName());

    private final Connection connection;
    private final ErrorCountingConnection statsConnection;
    private final TaskMetrics metrics;
    private final Tracing tracing;
    /** How long a stop lets delivered messages, handlers and queued calls finish. */
    private final Duration drainTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Meter> gauges;
    private final Service service;
    /** Replaced by a reload that keeps the subjects: the subscription stays, new messages go to the new version. */
    private volatile TaskRunner runner;

    private TaskService(Connection connection, TaskRunner runner, Duration drainTimeout, TaskMetrics metrics,
            Tracing tracing) {
        this.connection = connection;
        this.statsConnection = ErrorCountingConnection.wrap(connection);
        this.runner = runner;
        this.metrics = metrics;
        this.tracing = tracing;
        this.drainTimeout = drainTimeout;
        this.service = build();
        this.gauges = registerGauges();
    }

    /** Registers the script's endpoints and starts answering. */
    public static TaskService start(Connection connection, TaskRunner runner, Duration drainTimeout, TaskMetrics metrics,
            Tracing tracing) {
        TaskService taskService = new TaskService(connection, runner, drainTimeout, metrics, tracing);
        taskService.service.startService();
        return taskService;
    }

    /** In-flight calls and pool sizes, read at scrape time from whichever version serves then. */
    private List<Meter> registerGauges() {
        TaskScript script = runner.script();
        List<Tag> task = List.of(Tag.create("task", script.name()), Tag.create("language", script.language().id()));
        List<Meter> meters = new ArrayList<>(metrics.gauges("metropolis.task.in.flight", "Messages being handled now",
                task, "queue", List.of(script.header().queue()), this, List.of(service -> service.inFlight.get())));
        meters.addAll(metrics.gauges("metropolis.pool.contexts", "Contexts of the serving version, by state", task, "state",
                List.of("live", "idle", "busy", "creating"), this, List.of(
                        service -> service.runner.poolStats().live(),
                        service -> service.runner.poolStats().idle(),
                        service -> service.runner.poolStats().leased(),
                        service -> service.runner.poolStats().creating())));
        return meters;
    }

    private Service build() {
        TaskScript script = runner.script();
        ScriptHeader header = script.header();
        var builder = Service.builder()
                .connection(statsConnection.proxy())
                .name(serviceName(script.name()))
                .version(header.version())
                .description(header.description().isEmpty() ? "Metropolis task " + script.file().getFileName() : header.description())
                .metadata(metadata(script))
                .drainTimeout(drainTimeout);
        Set<String> names = new HashSet<>();
        for (String subject : header.subjects()) {
            builder.addServiceEndpoint(ServiceEndpoint.builder()
                    .endpointName(uniqueName(endpointName(subject), names))
                    .endpointSubject(subject)
                    .endpointQueueGroup(header.queue())
                    .endpointMetadata(Map.of("subject", subject))
                    .handler(message -> onMessage(message, new TaskLabels(script.name(), subject, script.language().id())))
                    .build());
        }
        return builder.build();
    }

    static Map<String, String> metadata(TaskScript script) {
        ScriptHeader header = script.header();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("metropolis.task", script.name());
        metadata.put("metropolis.language", script.language().id());
        metadata.put("metropolis.file", script.file().getFileName().toString());
        metadata.put("metropolis.subjects", String.join(",", header.subjects()));
        metadata.put("metropolis.queue", header.queue());
        metadata.put("metropolis.version", header.version());
        metadata.put("metropolis.timeout_ms", Long.toString(header.timeout().toMillis()));
        metadata.put("metropolis.concurrency", Integer.toString(header.concurrency()));
        if (!header.http().isEmpty()) {
            metadata.put("metropolis.http", header.http());
        }

        return metadata;
    }

    /**
     * Handles one message and returns when it is answered: the connection dispatches each message
     * on a virtual thread of its own, so waiting here costs nothing and makes the service's
     * {@code $SRV.STATS} processing time the real one.
     */
    private void onMessage(ServiceMessage message, TaskLabels labels) {
        long arrived = System.nanoTime();
        Map<String, List<String>> headers = headersOf(message);
        Span span = startSpan(labels, message, headers);
        TaskRequest request = new TaskRequest(message.getSubject(), message.getReplyTo(), headers, message.getData());
        TaskRunner current = runner;
        inFlight.incrementAndGet();
        TaskError failure;
        try (LogContext.Scope scope = LogContext.open(LogContext.of(labels.task(), request.subject(),
                request.header(LogContext.REQUEST_ID), request.header(LogContext.TRACEPARENT)))) {
            CompletableFuture<TaskReply> outcome = current.submit(request);
            while (outcome.isCompletedExceptionally() && current != runner) {
                // A reload swapped versions between our read and the submit, and the old one already
                // refused it as stopping: the new version takes the message.
                current = runner;
                outcome = current.submit(request);
            }
            failure = respond(message, current, request, outcome);
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }
        Spans.end(span, failure); // the reply is sent
        metrics.invocation(labels, failure == null ? "ok" : TaskMetrics.outcome(failure.kind()), System.nanoTime() - arrived);
        if (failure != null && request.replyTo() != null) {
            statsConnection.answered(request.replyTo());
            throw new AnsweredFailure(failure); // counted by the service as an error; its own reply is dropped
        }
    }

    /**
     * The message's span, a child of the caller's trace context. The headers then carry the span's
     * own context, so the script sees it and the reply echoes it. A request/reply message is a
     * SERVER span, pairing with the caller's CLIENT span; fire-and-forget is a CONSUMER.
     */
    private Span startSpan(TaskLabels labels, ServiceMessage message, Map<String, List<String>> headers) {
        Context parent = tracing.extract(headers);
        SpanBuilder span = tracing.tracer().spanBuilder("task " + labels.task())
                .setParent(parent)
                .setSpanKind(message.getReplyTo() == null ? SpanKind.CONSUMER : SpanKind.SERVER)
                .setAttribute(Spans.MESSAGING_SYSTEM, Spans.NATS)
                .setAttribute(Spans.MESSAGING_OPERATION, "process")
                .setAttribute(Spans.DESTINATION, message.getSubject())
                .setAttribute(Spans.TASK, labels.task())
                .setAttribute(Spans.LANGUAGE, labels.language());
        if (!labels.subject().equals(message.getSubject())) {
            span.setAttribute(Spans.DESTINATION_TEMPLATE, labels.subject());
        }
        Span started = span.startSpan();
        tracing.inject(parent.with(started), headers);
        return started;
    }

    /** Waits for the outcome and sends the reply; returns the failure, or null for a success. */
    private TaskError respond(ServiceMessage message, TaskRunner runner, TaskRequest request,
            CompletableFuture<TaskReply> outcome) {
        TaskReply reply = null;
        TaskError failure = null;
        try {
            reply = outcome.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            failure = asTaskError(e);
        }
        if (failure != null) {
            logFailure(runner, request, failure);
        }
        if (request.replyTo() == null) {
            return failure;
        }
        try {
            if (failure == null) {
                message.respond(connection, reply.body(), correlated(Replies.headers(reply), request));
            } else {
                message.respond(connection, Replies.errorBody(failure, runner.script().name(), request.subject()),
                        correlated(Replies.errorHeaders(failure), request));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not send the reply for task ''{0}'' on ''{1}'': {2}",
                    new Object[] {runner.script().name(), request.subject(), e.toString()});
        }
        return failure;
    }

    /** Errors are logged with their context; a task's own refusals (4xx) are the caller's business. */
    private static void logFailure(TaskRunner runner, TaskRequest request, TaskError failure) {
        Level level = failure.code() < 500 ? Level.FINE : Level.WARNING;
        if (request.replyTo() == null) {
            level = Level.WARNING; // nobody else will ever hear of it
        }
        LOG.log(level, "task ''{0}'' on ''{1}''{2}: {3} {4}", new Object[] {runner.script().name(), request.subject(),
            request.replyTo() == null ? " (fire-and-forget)" : "", failure.code(), failure.getMessage()});
    }

    /** Thrown after an error reply was sent, so the service counts the error (its message becomes last_error). */
    private static final class AnsweredFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AnsweredFailure(TaskError failure) {
            super(failure.code() + " " + failure.getMessage(), null, false, false);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    private static TaskError asTaskError(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof TaskError taskError
                ? taskError
                : TaskError.of(ErrorKind.CRASHED, "internal error: " + cause);
    }

    /** The message's headers, with a request id added when the caller sent none. */
    private static Map<String, List<String>> headersOf(ServiceMessage message) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        if (message.hasHeaders()) {
            Headers headers = message.getHeaders();
            for (String key : headers.keySet()) {
                copy.put(key, headers.get(key));
            }
        }
        if (copy.keySet().stream().noneMatch(LogContext.REQUEST_ID::equalsIgnoreCase)) {
            copy.put(LogContext.REQUEST_ID, List.of(RequestIds.next()));
        }
        return copy;
    }

    /** Reply headers that let the caller correlate: the request id and the trace context, echoed. */
    private static Headers correlated(Headers reply, TaskRequest request) {
        for (String name : List.of(LogContext.REQUEST_ID, LogContext.TRACEPARENT, "tracestate")) {
            String value = request.header(name);
            if (value != null) {
                reply.put(name, value);
            }
        }
        return reply;
    }

    /**
     * Stops serving for good: the service leaves discovery; with {@code drain}, messages already
     * delivered to its subscriptions are still handled. Then waits, up to the drain timeout, for
     * the handlers in flight, whose replies need the runner, and closes the runner (which lets
     * its queued calls finish within the same timeout).
     */
    public void retire(boolean drain) {
        stop(drain);
        try {
            awaitIdle(drainTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner.close(drainTimeout);
    }

    /**
     * Waits until no message is being handled, for at most {@code timeout}. After a drain, the
     * subscription hands its last messages to handler threads that may still be running (or just
     * starting): their replies need the connection and the runner, so close those only after this.
     */
    private boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int quietChecks = 0; quietChecks < 2; quietChecks++) {
            synchronized (inFlight) {
                while (inFlight.get() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(inFlight, left);
                }
            }
            Thread.sleep(50); // a handler thread handed a message just before the drain may start late
        }
        return inFlight.get() == 0;
    }

    /**
     * Stops answering: the service leaves discovery; with {@code drain}, messages already delivered
     * to its subscriptions are still handled (up to the drain timeout).
     */
    private void stop(boolean drain) {
        service.stop(drain);
        metrics.remove(gauges);
    }

    public TaskRunner runner() {
        return runner;
    }

    /**
     * Hands new messages to {@code next} (a new version of the same script) and returns the
     * runner that served until now; the caller drains and closes it.
     */
    public TaskRunner swap(TaskRunner next) {
        TaskRunner previous = runner;
        runner = next;
        return previous;
    }

    /** True when a new version can take over this service in place: same subjects, queue and metadata. */
    public boolean canServe(TaskScript next) {
        TaskScript current = runner.script();
        return current.file().equals(next.file()) && metadata(current).equals(metadata(next))
                && current.header().description().equals(next.header().description());
    }

    /** Service names allow letters, digits, '-' and '_' only. */
    static String serviceName(String taskName) {
        String name = taskName.replaceAll("[^A-Za-z0-9_-]", "_");
        return name.isEmpty() ? "task" : name;
    }

    /** Endpoint names follow the same rule; wildcards get words so "orders.*" stays readable. */
    static String endpointName(String subject) {
        return subject.replace("*", "any").replace(">", "all").replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String uniqueName(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate); i++) {
            candidate = name + "_" + i;
        }
        return candidate;
    }
}

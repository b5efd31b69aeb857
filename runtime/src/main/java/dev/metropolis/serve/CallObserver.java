package dev.metropolis.serve;

import dev.metropolis.nats.MicroService;
import dev.metropolis.serve.TaskMetrics.TaskLabels;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.trace.Spans;
import dev.metropolis.trace.Tracing;
import io.nats.client.Message;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What the host sees of each call: its span opens when the message arrives, and its outcome is
 * recorded in one step on the endpoint's {@code $SRV.STATS}, the task metrics and the span.
 */
final class CallObserver {
    private final Tracing tracing;
    private final TaskMetrics metrics;
    private final LongSupplier nanoTime;

    /** @param nanoTime the clock calls are timed on */
    CallObserver(Tracing tracing, TaskMetrics metrics, LongSupplier nanoTime) {
        this.tracing = Objects.requireNonNull(tracing, "tracing");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** A message that arrived now: its span has started and its headers carry the span's context. */
    record Call(MicroService.Endpoint endpoint, TaskLabels labels, Span span, long arrived, String requestId) {}

    /**
     * Starts observing a message. The span is a child of the caller's trace context, and the
     * headers then carry the span's own context, so the script sees it and the reply echoes it. A
     * request/reply message is a SERVER span, pairing with the caller's CLIENT span;
     * fire-and-forget is a CONSUMER.
     */
    Call arrived(MicroService.Endpoint endpoint, TaskLabels labels, Message message, Map<String, List<String>> headers) {
        long arrived = nanoTime.getAsLong();
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
        return new Call(endpoint, labels, started, arrived, requestId(headers));
    }

    /** The message's request id (the binding adds one when the caller sent none), in any letter case. */
    private static String requestId(Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(WireHeaders.REQUEST_ID) && !header.getValue().isEmpty()) {
                return header.getValue().getFirst();
            }
        }
        return null;
    }

    /**
     * Records how a call ended ({@code failure} null for a success) in {@code $SRV.STATS}, the
     * metrics and the span. Call it before the reply goes out, so a caller that has its answer
     * also finds it counted.
     */
    void answered(Call call, TaskError failure) {
        long elapsed = nanoTime.getAsLong() - call.arrived();
        call.endpoint().record(elapsed, failure == null ? null : failure.code() + " " + failure.getMessage(), call.requestId());
        Spans.end(call.span(), failure);
        metrics.invocation(call.labels(), failure == null ? "ok" : failure.kind().label(), elapsed);
    }

    /** Records a streamed reply's end like {@link #answered} (one request), and its duration by {@code outcome}. */
    void streamed(Call call, TaskError failure, String outcome) {
        answered(call, failure);
        metrics.streamEnded(call.labels(), outcome, nanoTime.getAsLong() - call.arrived());
    }
}

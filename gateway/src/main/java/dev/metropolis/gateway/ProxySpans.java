package dev.metropolis.gateway;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.logging.LogContext;
import dev.metropolis.trace.Spans;
import dev.metropolis.trace.Tracing;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webserver.http.ServerRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Optional;

/**
 * The gateway's spans: a SERVER span per HTTP request, child of the caller's {@code traceparent},
 * and under it a CLIENT span per NATS request, whose context travels to the host in the NATS
 * headers. Contexts are passed explicitly: a request hops between threads.
 */
final class ProxySpans {
    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");

    private final Tracing tracing;

    ProxySpans(Tracing tracing) {
        this.tracing = tracing;
    }

    /**
     * Starts the request's SERVER span, named "{method} {route}" ({@code POST /text/reverse}), or
     * the method alone when no route matches; returns the request's context, holding the span.
     */
    Context server(ServerRequest request, String method, String path, Optional<RouteTable.Match> match, String requestId) {
        Context parent = tracing.extract(request.headers(), HTTP_HEADERS);
        Optional<String> route = match.map(found -> routePath(found.route()));
        SpanBuilder span = tracing.tracer().spanBuilder(route.map(template -> method + " " + template).orElse(method))
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(HTTP_METHOD, method)
                .setAttribute(URL_PATH, path)
                .setAttribute(URL_SCHEME, request.isSecure() ? "https" : "http")
                .setAttribute(Spans.REQUEST_ID, requestId);
        route.ifPresent(template -> span.setAttribute(HTTP_ROUTE, template));
        match.ifPresent(found -> span.setAttribute(Spans.TASK, found.route().task()));
        return parent.with(span.startSpan());
    }

    /** Ends the request's SERVER span with the response status; 5xx is an error (HTTP conventions). */
    static void endServer(Context request, int status) {
        Span span = Span.fromContext(request);
        span.setAttribute(HTTP_STATUS, status);
        if (ErrorKind.isServerError(status)) {
            span.setAttribute(Spans.ERROR_TYPE, Integer.toString(status));
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** The trace id for log lines: the request span's, else (tracing off) the caller's {@code traceparent}'s. */
    static String traceId(Context request, String traceparent) {
        SpanContext span = Span.fromContext(request).getSpanContext();
        return span.isValid() ? span.getTraceId() : LogContext.traceId(traceparent);
    }

    /**
     * Starts the CLIENT span of the NATS request under the request's span and writes its context
     * into the NATS headers (over the caller's {@code traceparent}), so the host's span is its child.
     */
    Span natsRequest(Context request, RouteTable.Match match, io.nats.client.impl.Headers headers) {
        TaskRoute route = match.route();
        SpanBuilder builder = tracing.tracer().spanBuilder("request " + route.subject())
                .setParent(request)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(Spans.MESSAGING_SYSTEM, Spans.NATS)
                .setAttribute(Spans.MESSAGING_OPERATION, "request")
                .setAttribute(Spans.DESTINATION, match.subject())
                .setAttribute(Spans.TASK, route.task());
        if (!route.subject().equals(match.subject())) {
            builder.setAttribute(Spans.DESTINATION_TEMPLATE, route.subject());
        }
        Span span = builder.startSpan();
        tracing.inject(request.with(span), headers, (carrier, name, value) -> carrier.put(name, value));
        return span;
    }

    /** The path part of a route as listed ("* /orders/{token}" -> "/orders/{token}"): bounded, unlike the path. */
    private static String routePath(TaskRoute route) {
        String display = route.display();
        return display.substring(display.indexOf(' ') + 1);
    }

    private static final TextMapGetter<Headers> HTTP_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return headers.stream().map(header -> header.name()).toList();
        }

        @Override
        public String get(Headers headers, String name) {
            return headers == null ? null : headers.first(HeaderNames.create(name)).orElse(null);
        }
    };
}

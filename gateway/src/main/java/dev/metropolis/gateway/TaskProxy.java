package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.logging.LogContext;
import dev.metropolis.logging.RequestIds;
import dev.metropolis.nats.Replies;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.Durations;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.trace.Spans;
import dev.metropolis.trace.Tracing;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns an HTTP request into a NATS request on the matching task subject and the reply back into
 * an HTTP response. Status codes come from the shared {@link ErrorKind} table: the code in a NATS
 * error reply is the HTTP status. Requests no task received, and idempotent ones whose reply was
 * lost, are sent again within the caller's deadline: see {@link RetryPolicy}.
 */
final class TaskProxy implements Handler {
    private static final Logger LOG = Logger.getLogger(TaskProxy.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final HeaderName REQUEST_ID = HeaderNames.create(WireHeaders.REQUEST_ID);
    static final HeaderName REQUEST_TIMEOUT = HeaderNames.create("Request-Timeout");
    private static final HeaderName TRACEPARENT = HeaderNames.create(WireHeaders.TRACEPARENT);
    private static final HeaderName TRACESTATE = HeaderNames.create(WireHeaders.TRACESTATE);
    /** Request headers that travel to the task as NATS headers. */
    private static final List<HeaderName> FORWARDED = List.of(HeaderNames.CONTENT_TYPE, HeaderNames.ACCEPT, TRACEPARENT,
            TRACESTATE, HeaderNames.AUTHORIZATION);
    private static final Set<String> QUERY_AS_BODY = Set.of("GET", "DELETE");
    /** Room left in a NATS message for headers. */
    private static final int HEADER_ROOM = 8 * 1024;

    private final Supplier<Connection> nats;
    private final TaskRequester requester;
    private final StreamRelay streams;
    private final Supplier<RouteTable> routes;
    private final long maxBodyBytes;
    private final GatewayMetrics metrics;
    private final ProxySpans spans;
    /** Where requests to run asynchronously go; null in a gateway without jobs (they are answered 503). */
    private final Jobs jobs;
    static final HeaderName PREFER = HeaderNames.create("Prefer");
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create(Jobs.IDEMPOTENCY_KEY);
    private static final HeaderName CALLBACK_URL = HeaderNames.create(Jobs.CALLBACK_URL);

    TaskProxy(Supplier<Connection> nats, Supplier<RouteTable> routes, long maxBodyBytes, GatewayMetrics metrics,
            Tracing tracing, Jobs jobs) {
        this.jobs = jobs;
        this.nats = nats;
        this.requester = new TaskRequester(nats, metrics);
        this.streams = new StreamRelay(nats, metrics);
        this.routes = routes;
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.spans = new ProxySpans(tracing);
    }

    /** A proxy that records no spans (trace headers still pass through) and runs no jobs. */
    TaskProxy(Supplier<Connection> nats, Supplier<RouteTable> routes, long maxBodyBytes, GatewayMetrics metrics) {
        this(nats, routes, maxBodyBytes, metrics, Tracing.disabled(), null);
    }

    /** The requester jobs are sent with, so they get the same timeouts and retries as requests. */
    TaskRequester requester() {
        return requester;
    }

    /** Helidon's observe endpoints (health) share the routing; the proxy leaves them alone. */
    private static final String OBSERVE_PREFIX = "/observe/";

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        if (request.path().path().startsWith(OBSERVE_PREFIX)) {
            response.next();
            return;
        }
        long started = System.nanoTime();
        String requestId = request.headers().first(REQUEST_ID).orElseGet(RequestIds::next);
        response.header(REQUEST_ID, requestId);
        String method = request.prologue().method().text();
        String path = request.path().path();
        TaskError refused = RequestChecks.refusal(method, path);
        if (refused != null) {
            if (refused.kind() == ErrorKind.METHOD_NOT_ALLOWED) {
                response.header(HeaderNames.ALLOW, RequestChecks.ALLOWED);
            }
            response.beforeSend(() -> metrics.request("none", "other", response.status().code(), System.nanoTime() - started));
            sendError(response, refused, null, null);
            return;
        }
        RouteTable.Lookup lookup = request.context().get(RouteTable.Lookup.class)
                .orElseGet(() -> RouteTable.lookup(routes.get(), request));
        String route = lookup.match().map(match -> match.route().display()).orElse("none");
        // Counted as the response goes out, so a client that has its answer finds it in the metrics.
        response.beforeSend(() -> metrics.request(route, method, response.status().code(), System.nanoTime() - started));
        Context trace = spans.server(request, method, path, lookup.match(), requestId);
        LogContext context = new LogContext(lookup.match().map(match -> match.route().task()).orElse(null),
                lookup.match().map(RouteTable.Match::subject).orElse(null), requestId,
                ProxySpans.traceId(trace, request.headers().first(TRACEPARENT).orElse(null)));
        try (LogContext.Scope scope = LogContext.open(context)) {
            if (lookup.match().isEmpty()) {
                notFound(response, method, path, lookup);
                return;
            }
            RouteTable.Match match = lookup.match().get();
            try {
                forward(request, response, match, method, path, requestId, trace);
            } catch (TaskError error) {
                sendError(response, error, match.route().task(), match.subject());
            }
        } finally {
            ProxySpans.endServer(trace, response.status().code());
        }
    }

    private void forward(ServerRequest request, ServerResponse response, RouteTable.Match match, String method, String path,
            String requestId, Context trace) {
        Headers headers = natsHeaders(request, method, path, requestId);
        byte[] body = body(request, method, headers, nats.get(), match.route().envelope());
        if (match.route().streams()) {
            // A stream is its own way of not waiting for the whole answer: respond-async is not applied to it.
            relayStream(request, response, match, headers, body, trace);
            return;
        }
        if (match.route().async() || Jobs.prefersAsync(request.headers().first(PREFER))) {
            submitJob(request, response, match, headers, body);
            return;
        }
        Span span = spans.natsRequest(trace, match, headers);
        Message reply;
        try {
            reply = requester.request(match, method, headers, body, deadline(request, match.route()));
        } catch (RuntimeException e) {
            Spans.end(span, e instanceof TaskError error ? error : TaskError.of(ErrorKind.CRASHED, e.toString()));
            throw e;
        }
        Optional<Replies.ReceivedError> error = Replies.error(reply);
        int status = error.map(Replies.ReceivedError::code).orElse(200);
        Spans.end(span, error.map(Replies.ReceivedError::kind).orElse(null), status,
                error.map(Replies.ReceivedError::message).orElse(null));
        relay(reply, status, response, match);
    }

    /** A generator task's chunks, as SSE when the client accepts it, else NDJSON; the NATS span covers the whole stream. */
    private void relayStream(ServerRequest request, ServerResponse response, RouteTable.Match match, Headers headers,
            byte[] body, Context trace) {
        Span span = spans.natsRequest(trace, match, headers);
        try {
            streams.relay(response, match, headers, body, deadline(request, match.route()),
                    ChunkFormat.forAccept(request.headers().first(HeaderNames.ACCEPT).orElse(null)));
            Spans.end(span, null, response.status().code(), null);
        } catch (RuntimeException e) {
            Spans.end(span, e instanceof TaskError error ? error : TaskError.of(ErrorKind.CRASHED, e.toString()));
            throw e;
        }
    }

    /** The hook for asynchronous invocation: store the request as a job and answer 202 with its location. */
    private void submitJob(ServerRequest request, ServerResponse response, RouteTable.Match match, Headers headers,
            byte[] body) {
        if (jobs == null) {
            throw TaskError.of(ErrorKind.UNAVAILABLE, "this gateway does not run jobs");
        }
        JobSubmitter.Submitted submitted = jobs.submit(match, headers, body,
                request.headers().first(IDEMPOTENCY_KEY).orElse(null), request.headers().first(CALLBACK_URL).orElse(null));
        response.header(HeaderNames.LOCATION, "/jobs/" + submitted.job().id());
        response.header(HeaderNames.create("Preference-Applied"), "respond-async");
        if (submitted.replayed()) {
            response.header(HeaderNames.create("Idempotent-Replayed"), "true");
        }
        response.header(HeaderNames.CONTENT_TYPE, TaskReply.JSON);
        response.status(202).send(Jobs.submittedBody(submitted.job()));
    }

    private static Headers natsHeaders(ServerRequest request, String method, String path, String requestId) {
        Headers headers = new Headers();
        for (HeaderName name : FORWARDED) {
            request.headers().first(name).ifPresent(value -> headers.put(name.defaultCase(), value));
        }
        headers.put(REQUEST_ID.defaultCase(), requestId);
        // The caller the AccessFilter authenticated: only the gateway sets this header (callers' own are
        // not forwarded), and the credential it verified stays at the gateway.
        request.context().get(CallerIdentity.class).ifPresent(caller -> {
            headers.put(WireHeaders.AUTH, caller.header());
            headers.remove(HeaderNames.AUTHORIZATION.defaultCase());
        });
        headers.put(WireHeaders.METHOD, method);
        headers.put(WireHeaders.PATH, path);
        return headers;
    }

    /**
     * GET and DELETE send their query parameters as a JSON object (to a task in the original wire form,
     * each a list, and {@code {}} for none); others send their body.
     */
    private byte[] body(ServerRequest request, String method, Headers headers, Connection connection, boolean envelope) {
        byte[] body;
        if (QUERY_AS_BODY.contains(method)) {
            body = envelope ? Envelope.query(queryLists(request)) : queryAsJson(request);
            if (body.length > 0) {
                headers.put(WireHeaders.CONTENT_TYPE, TaskReply.JSON);
            }
        } else {
            body = request.content().hasEntity() ? entity(request) : new byte[0];
        }
        long limit = connection == null || connection.getServerInfo() == null ? maxBodyBytes
                : Math.min(maxBodyBytes, connection.getServerInfo().getMaxPayload() - HEADER_ROOM);
        if (body.length > limit) {
            throw TaskError.of(ErrorKind.TOO_LARGE, "the request body has " + body.length + " bytes; the limit is " + limit);
        }
        return body;
    }

    /**
     * The request body. With a Content-Length (the server has already refused one over the limit)
     * it is read into an array of that size. Reading to the end of the stream instead goes through
     * a 16 KiB buffer per request: 6.8% of the gateway's CPU samples with 16-byte bodies at 64
     * connections, against 1.3% this way.
     */
    private byte[] entity(ServerRequest request) {
        OptionalLong declared = request.headers().contentLength();
        try (InputStream in = request.content().inputStream()) {
            return declared.isPresent() && declared.getAsLong() <= Integer.MAX_VALUE
                    ? in.readNBytes((int) declared.getAsLong())
                    : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            if (!ClientGone.is(e)) {
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            // Anyone can open a connection and drop it mid-body: counted and logged at debug, never a stack trace.
            metrics.clientGone();
            LOG.log(Level.FINE, "the client closed the connection before sending the whole body: {0}", e.toString());
            throw TaskError.of(ErrorKind.BAD_PAYLOAD, "the request body ended before its Content-Length (the client"
                    + " closed the connection)");
        }
    }

    private static Map<String, List<String>> queryLists(ServerRequest request) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String name : request.query().names()) {
            if (!name.equals(RouteTable.WORKER_PARAMETER)) { // it chose the subject: not an argument
                parameters.put(name, request.query().all(name));
            }
        }
        return parameters;
    }

    private static byte[] queryAsJson(ServerRequest request) {
        if (request.query().isEmpty()) {
            return new byte[0];
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (String name : request.query().names()) {
            List<String> values = request.query().all(name);
            parameters.put(name, values.size() == 1 ? values.getFirst() : values);
        }
        try {
            return JSON.writeValueAsBytes(parameters);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How long the caller waits, retries included: {@code Request-Timeout} (a duration or seconds)
     * when sent, else the task's timeout. No attempt runs longer than the task's timeout; a longer
     * deadline leaves room to retry a lost request (see {@link TaskRequester}).
     */
    private static Duration deadline(ServerRequest request, TaskRoute route) {
        return request.headers().first(REQUEST_TIMEOUT)
                .map(TaskProxy::parseTimeout)
                .orElse(route.timeout());
    }

    private static Duration parseTimeout(String value) {
        try {
            return Durations.parseOrSeconds(value);
        } catch (IllegalArgumentException e) {
            throw TaskError.of(ErrorKind.BAD_PAYLOAD, "Request-Timeout: " + e.getMessage());
        }
    }

    static void relay(Message reply, int status, ServerResponse response, RouteTable.Match match) {
        Headers headers = reply.getHeaders();
        if (status == ErrorKind.BUSY.defaultCode()) {
            response.header(HeaderNames.RETRY_AFTER, "1");
        }
        String contentType = headers == null ? null : headers.getFirst(WireHeaders.CONTENT_TYPE);
        if (contentType != null) {
            response.header(HeaderNames.CONTENT_TYPE, contentType);
        }
        String traceparent = headers == null ? null : headers.getFirst(TRACEPARENT.defaultCase());
        if (traceparent != null) {
            response.header(TRACEPARENT, traceparent);
        }
        byte[] body = reply.getData();
        Optional<Envelope.Unwrapped> unwrapped = Envelope.answer(match.route(), status, body);
        if (unwrapped.isPresent()) {
            status = unwrapped.get().status();
            body = unwrapped.get().body();
            response.header(HeaderNames.CONTENT_TYPE, TaskReply.JSON);
        }
        if (ErrorKind.isServerError(status)) {
            LOG.log(Level.FINE, "task {0} answered {1} on {2}", new Object[] {match.route().task(), status, match.subject()});
        }
        response.status(status).send(body);
    }

    private void notFound(ServerResponse response, String method, String path, RouteTable.Lookup lookup) {
        List<String> allowed = lookup.allowedMethods();
        if (lookup.unservedSubject() != null) {
            sendError(response, TaskError.of(ErrorKind.NO_ROUTE, "no task serves subject " + lookup.unservedSubject()
                    + " (" + method + " " + path + " with " + RouteTable.WORKER_PARAMETER + "); GET /tasks lists the routes"),
                    null, lookup.unservedSubject());
            return;
        }
        if (!allowed.isEmpty()) {
            response.header(HeaderNames.ALLOW, String.join(", ", allowed));
            sendError(response, TaskError.of(ErrorKind.METHOD_NOT_ALLOWED, method + " " + path + " is served only with "
                    + String.join(", ", allowed)), null, null);
            return;
        }
        sendError(response, TaskError.of(ErrorKind.NO_ROUTE, "no task serves " + method + " " + path
                + "; GET /tasks lists the routes (a task on subject a.b is served at /a/b)"), null, null);
    }

    static void sendError(ServerResponse response, TaskError error, String task, String subject) {
        if (error.kind() == ErrorKind.BUSY) {
            response.header(HeaderNames.RETRY_AFTER, "1");
        }
        response.header(HeaderNames.CONTENT_TYPE, TaskReply.JSON);
        try {
            response.status(error.code()).send(Replies.errorBody(error, task, subject));
        } catch (RuntimeException e) {
            if (!ClientGone.is(e)) {
                throw e;
            }
            LOG.log(Level.FINE, "the client left before its error answer: {0}", e.toString());
        }
    }

}

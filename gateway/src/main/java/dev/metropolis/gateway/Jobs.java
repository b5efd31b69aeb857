package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.Replies;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asynchronous invocation: submitting jobs (over HTTP through {@link TaskProxy}, or over NATS on
 * {@value #SUBMIT_PREFIX}{@code <subject>}), {@code GET /jobs/{id}} (or {@value #GET_PREFIX}{@code <id>}),
 * and the gateway's share of running them. Available once the gateway is connected to a NATS
 * server with JetStream; until then a job request is answered 503.
 */
final class Jobs implements Handler, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Jobs.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SUBMIT_PREFIX = "$MTR.JOBS.submit.";
    static final String GET_PREFIX = "$MTR.JOBS.get.";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String CALLBACK_URL = "X-Callback-Url";
    private static final String QUEUE = "metropolis-gateway";

    private final Supplier<RouteTable> routes;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon(true).name("gateway-jobs-timer").factory());
    private final HttpClient http = Callbacks.client();
    private volatile Running running;

    private record Running(JobStore store, JobSubmitter submitter, JobRunner runner, Dispatcher dispatcher) {}

    Jobs(Supplier<RouteTable> routes, GatewayMetrics metrics, Clock clock) {
        this.routes = routes;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Opens the jobs stream and bucket, and starts running jobs and taking NATS submissions. */
    void start(Connection connection, TaskRequester requester) {
        try {
            JobStore store = JobStore.open(connection);
            JobRunner runner = new JobRunner(connection, store, routes, requester,
                    new Callbacks(http, timer, clock, metrics), metrics, timer, clock);
            JobSubmitter submitter = new JobSubmitter(connection, store, clock);
            Dispatcher dispatcher = connection.createDispatcher();
            running = new Running(store, submitter, runner, dispatcher);
            dispatcher.subscribe(SUBMIT_PREFIX + ">", QUEUE, message -> Thread.ofVirtual().start(() -> onSubmit(connection, message)));
            dispatcher.subscribe(GET_PREFIX + "*", QUEUE, message -> Thread.ofVirtual().start(() -> onGet(connection, message)));
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.log(Level.WARNING, "jobs are not available (they need JetStream: nats-server -js): {0}", e.toString());
        }
    }

    private Running running() {
        Running now = running;
        if (now == null) {
            throw TaskError.of(ErrorKind.UNAVAILABLE, "jobs are not available: the gateway has no NATS connection with"
                    + " JetStream (nats-server -js); retry shortly");
        }
        return now;
    }

    /** Stores a request for {@code match}'s task as a job. */
    JobSubmitter.Submitted submit(RouteTable.Match match, Headers headers, byte[] body, String idempotencyKey,
            String callbackUrl) {
        JobSubmitter.Submitted submitted = running().submitter().submit(match.route().task(), match.subject(), headers, body,
                idempotencyKey, callbackUrl);
        if (!submitted.replayed()) {
            metrics.job(Job.State.QUEUED);
        }
        return submitted;
    }

    /** {@code GET /jobs/{id}}. */
    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        String id = request.path().pathParameters().get("id");
        try {
            Job job = find(id);
            response.header(HeaderNames.CONTENT_TYPE, TaskReply.JSON).send(JobStore.json(job));
        } catch (TaskError error) {
            TaskProxy.sendError(response, error, null, null);
        }
    }

    private Job find(String id) {
        return running().store().get(id).orElseThrow(() -> TaskError.of(ErrorKind.NO_ROUTE, "no job '" + id
                + "' (jobs are kept " + JobStore.RETENTION.toHours() + " h)"));
    }

    /** The JSON answer to a submission: the job as stored, with its location. */
    static byte[] submittedBody(Job job) {
        Map<String, Object> json = job.toJson();
        json.put("location", "/jobs/" + job.id());
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void onSubmit(Connection connection, Message message) {
        String subject = message.getSubject().substring(SUBMIT_PREFIX.length());
        try {
            RouteTable.Match match = routes.get().forSubject(subject).orElseThrow(() -> TaskError.of(ErrorKind.NO_ROUTE,
                    "no task serves subject '" + subject + "'; GET /tasks lists them"));
            Headers headers = new Headers();
            String key = null;
            String callback = null;
            if (message.getHeaders() != null) {
                key = message.getHeaders().getFirst(IDEMPOTENCY_KEY);
                callback = message.getHeaders().getFirst(CALLBACK_URL);
                message.getHeaders().entrySet().forEach(header -> {
                    if (!header.getKey().equals(IDEMPOTENCY_KEY) && !header.getKey().equals(CALLBACK_URL)) {
                        headers.put(header.getKey(), header.getValue());
                    }
                });
            }
            JobSubmitter.Submitted submitted = submit(match, headers, message.getData(), key, callback);
            reply(connection, message, null, submittedBody(submitted.job()));
        } catch (TaskError error) {
            reply(connection, message, error, Replies.errorBody(error, null, subject));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job submission on " + message.getSubject() + " failed", e);
            TaskError error = TaskError.of(ErrorKind.CRASHED, "the gateway failed on this submission; its log says why");
            reply(connection, message, error, Replies.errorBody(error, null, subject));
        }
    }

    private void onGet(Connection connection, Message message) {
        try {
            reply(connection, message, null, JobStore.json(find(message.getSubject().substring(GET_PREFIX.length()))));
        } catch (TaskError error) {
            reply(connection, message, error, Replies.errorBody(error, null, null));
        }
    }

    private static void reply(Connection connection, Message message, TaskError error, byte[] body) {
        if (message.getReplyTo() == null) {
            return; // published without a reply subject: the caller polls instead
        }
        Headers headers = error == null ? new Headers() : Replies.errorHeaders(error);
        headers.put("Content-Type", TaskReply.JSON);
        connection.publish(message.getReplyTo(), headers, body);
    }

    /** Which of a request's headers say "answer 202 now": {@code Prefer: respond-async} (RFC 7240). */
    static boolean prefersAsync(Optional<String> prefer) {
        if (prefer.isEmpty()) {
            return false;
        }
        for (String preference : prefer.get().split(",")) {
            String token = preference.split(";")[0].trim();
            if (token.equalsIgnoreCase("respond-async")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        Running now = running;
        if (now != null) {
            now.runner().close();
        }
        timer.shutdownNow();
        http.close();
    }
}

package dev.metropolis.serve;

import dev.metropolis.logging.LogContext;
import dev.metropolis.serve.TaskMetrics.TaskLabels;
import dev.metropolis.runner.TaskRunner;
import dev.metropolis.script.ScriptHeader;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.task.HttpRoute;
import dev.metropolis.task.TaskMetadata;
import dev.metropolis.task.WireHeaders;
import dev.metropolis.nats.MicroService;
import dev.metropolis.trace.Tracing;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.Tag;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One script published as a NATS micro service: an endpoint per subject in the script's queue
 * group, visible to {@code $SRV.PING/INFO/STATS} with its language and version in the metadata.
 */
public final class TaskService implements Binding {
    private final Connection connection;
    private final TaskMetrics metrics;
    private final CallObserver observer;
    private final ReplySender replies;
    /** How long a stop lets delivered messages, handlers and queued calls finish. */
    private final Duration drainTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Meter> gauges;
    private final MicroService service;
    /** Where streamed replies' acknowledgements arrive; made on the first stream, closed with the service. */
    private Dispatcher acks;
    /** Replaced by a reload that keeps the subjects: the subscription stays, new messages go to the new version. */
    private volatile TaskRunner runner;

    /** The name of the host serving this, announced in the metadata; null when none is announced. */
    private final String hostName;

    private TaskService(Connection connection, TaskRunner runner, Duration drainTimeout, TaskMetrics metrics,
            Tracing tracing, String hostName) {
        this.hostName = hostName;
        this.connection = connection;
        this.runner = runner;
        this.metrics = metrics;
        this.observer = new CallObserver(tracing, metrics, System::nanoTime);
        this.replies = new ReplySender(connection, metrics::replyLost);
        this.drainTimeout = drainTimeout;
        this.service = build();
        this.gauges = registerGauges();
    }

    /** Registers the script's endpoints and starts answering. */
    public static TaskService start(Connection connection, TaskRunner runner, Duration drainTimeout, TaskMetrics metrics,
            Tracing tracing) {
        return start(connection, runner, drainTimeout, metrics, tracing, null);
    }

    /** {@link #start(Connection, TaskRunner, Duration, TaskMetrics, Tracing)} on a host that announces its name. */
    public static TaskService start(Connection connection, TaskRunner runner, Duration drainTimeout, TaskMetrics metrics,
            Tracing tracing, String hostName) {
        TaskService taskService = new TaskService(connection, runner, drainTimeout, metrics, tracing, hostName);
        taskService.service.start();
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

    private MicroService build() {
        TaskScript script = runner.script();
        ScriptHeader header = script.header();
        String description = header.description().isEmpty()
                ? "Metropolis task " + script.file().getFileName()
                : header.description();
        List<MicroService.Endpoint> endpoints = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String subject : header.subjects()) {
            TaskLabels labels = new TaskLabels(script.name(), subject, script.language().id());
            endpoints.add(new MicroService.Endpoint(MicroService.uniqueName(MicroService.endpointName(subject), names), subject, header.queue(),
                    endpointMetadata(script, subject), (message, endpoint) -> onMessage(message, endpoint, labels)));
        }
        Map<String, String> announced = new java.util.LinkedHashMap<>(metadata(script, runner.streams()));
        if (hostName != null) {
            announced.put(TaskMetadata.HOST, hostName); // which host this instance is; not part of what a swap compares
        }
        return new MicroService(connection, MicroService.serviceName(script.name()), header.version(), description, announced,
                endpoints);
    }

    /** What discovery shows of each endpoint: its subject and the task's schemas ({@code metropolis.input}, ...). */
    public static Map<String, String> endpointMetadata(TaskScript script, String subject) {
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        metadata.put("subject", subject);
        metadata.putAll(script.header().schemas().metadata());
        return metadata;
    }

    /** What discovery shows of a script that replies once: the {@code metropolis.*} metadata keys. */
    public static Map<String, String> metadata(TaskScript script) {
        return metadata(script, false);
    }

    /** What discovery shows of a script; {@code streams} when its task function is a generator. */
    public static Map<String, String> metadata(TaskScript script, boolean streams) {
        ScriptHeader header = script.header();
        Map<String, String> metadata = new TaskMetadata(script.name(), script.language().id(),
                script.file().getFileName().toString(), header.subjects(), header.queue(), header.version(),
                header.timeout(), header.concurrency(), header.http().isEmpty() ? null : HttpRoute.parse(header.http()),
                header.allow().byKey(), header.trigger().describe(), header.async(),
                streams ? header.streamTimeout() : null).toMap();
        // The gateway's policy for the task; left out when the script declares none (the gateway's defaults apply).
        if (header.auth() != null) {
            metadata.put(TaskMetadata.AUTH, header.auth().announcedForm());
        }
        if (header.rate() != null) {
            metadata.put(TaskMetadata.RATE, header.rate().toString());
        }
        if (script.isWorker()) {
            metadata.put(TaskMetadata.WIRE, TaskMetadata.ENVELOPE_WIRE); // the gateway unwraps its replies
        }
        return metadata;
    }

    /**
     * Hands one message to the runner and returns: the worker that runs it sends the reply, so
     * the connection's dispatcher thread only classifies and queues.
     */
    private void onMessage(Message message, MicroService.Endpoint endpoint, TaskLabels labels) {
        Map<String, List<String>> headers = Incoming.headers(message);
        CallObserver.Call call = observer.arrived(endpoint, labels, message, headers);
        TaskRequest request = new TaskRequest(message.getSubject(), message.getReplyTo(), headers, message.getData());
        LogContext logContext = LogContext.of(labels.task(), request.subject(), request.header(WireHeaders.REQUEST_ID),
                request.header(WireHeaders.TRACEPARENT));
        inFlight.incrementAndGet();
        try (LogContext.Scope scope = LogContext.open(logContext)) {
            TaskRunner current = runner;
            ChunkSender chunks = chunkSender(current, request, labels);
            CompletableFuture<TaskReply> outcome = current.submit(request, logContext, chunks);
            while (outcome.isCompletedExceptionally() && current != runner) {
                // A reload swapped versions between our read and the submit, and the old one already
                // refused it as stopping: the new version takes the message.
                current = runner;
                outcome = current.submit(request, logContext, chunks);
            }
            String task = current.script().name();
            outcome.whenComplete((reply, error) -> {
                try {
                    TaskError failure = error == null ? null : Incoming.failure(error);
                    if (chunks.began()) {
                        observer.streamed(call, failure, chunks.outcome(failure)); // a stream is one request in $SRV.STATS
                        try (LogContext.Scope completing = LogContext.open(logContext)) {
                            chunks.end(failure);
                        }
                        return;
                    }
                    ReplySender.Outgoing outgoing = replies.prepare(task, request, reply, failure);
                    // Counted before the reply goes out, so a caller that has its answer also finds it
                    // in $SRV.STATS, the metrics and the trace.
                    observer.answered(call, outgoing.failure());
                    try (LogContext.Scope completing = LogContext.open(logContext)) { // on whichever thread completed it
                        replies.send(task, request, outgoing);
                    }
                } finally {
                    if (inFlight.decrementAndGet() == 0) {
                        synchronized (inFlight) {
                            inFlight.notifyAll();
                        }
                    }
                }
            });
        }
    }

    /** The sink of a message's chunks, should its task function turn out to be a generator. */
    private ChunkSender chunkSender(TaskRunner current, TaskRequest request, TaskLabels labels) {
        return new ChunkSender(connection, this::acks, replies, metrics, labels, request,
                current.script().header().timeout(), System::nanoTime);
    }

    private synchronized Dispatcher acks() {
        if (acks == null) {
            acks = connection.createDispatcher();
        }
        return acks;
    }

    /**
     * Stops serving for good: the service leaves discovery; with {@code drain}, messages already
     * delivered to its subscriptions are still handled. Then waits, up to the drain timeout, for
     * the handlers in flight, whose replies need the runner, and closes the runner (which lets
     * its queued calls finish within the same timeout).
     */
    @Override
    public void retire(boolean drain) {
        stop(drain);
        try {
            awaitIdle(drainTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner.close(drainTimeout);
        closeAcks();
    }

    /**
     * Waits until every message handed to the runner is answered, for at most {@code timeout}.
     * Call it after {@link #stop}: the replies need the connection and the runner, so close
     * those only after this.
     */
    private boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(inFlight, left);
            }
        }
        return true;
    }

    /**
     * Stops answering: the service leaves discovery; with {@code drain}, messages already delivered
     * to its subscriptions are still handled (up to the drain timeout).
     */
    private void stop(boolean drain) {
        service.stop(drain, drainTimeout);
        metrics.remove(gauges);
    }

    /** Closes the acknowledgements' dispatcher once the runner's streams have ended. */
    private synchronized void closeAcks() {
        if (acks != null) {
            connection.closeDispatcher(acks);
            acks = null;
        }
    }

    @Override
    public TaskRunner runner() {
        return runner;
    }

    /**
     * Hands new messages to {@code next} (a new version of the same script) and returns the
     * runner that served until now; the caller drains and closes it.
     */
    @Override
    public TaskRunner swap(TaskRunner next) {
        TaskRunner previous = runner;
        runner = next;
        return previous;
    }

    /**
     * True when {@code next} can take over the service of {@code current} in place (a {@link #swap}):
     * same file, subjects, queue, metadata and description, so discovery shows nothing new.
     */
    public static boolean canServe(TaskScript current, TaskScript next) {
        return current.file().equals(next.file()) && metadata(current).equals(metadata(next))
                && current.header().description().equals(next.header().description())
                && current.header().schemas().metadata().equals(next.header().schemas().metadata());
    }
}

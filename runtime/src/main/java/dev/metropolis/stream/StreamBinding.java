package dev.metropolis.stream;

import dev.metropolis.logging.LogContext;
import dev.metropolis.nats.MicroService;
import dev.metropolis.runner.TaskRunner;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.script.Trigger;
import dev.metropolis.serve.Binding;
import dev.metropolis.serve.TaskMetrics;
import dev.metropolis.serve.TaskMetrics.TaskLabels;
import dev.metropolis.serve.TaskService;
import dev.metropolis.stream.Settlement.Verdict;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.task.WireHeaders;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.Tag;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import dev.metropolis.nats.SlotPuller;
import dev.metropolis.serve.Incoming;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A script bound to a JetStream durable pull consumer shared by every host: it pulls no more
 * messages than the script's concurrency, runs each on the script's runner, marks long runs in
 * progress, and settles each message as {@link Settlement} decides. Announced in discovery with
 * its trigger, without endpoints (nobody calls it directly).
 */
public final class StreamBinding implements Binding {
    private static final Logger LOG = Logger.getLogger(StreamBinding.class.getName());
    /** How long one pull waits for messages; also how soon a stopping binding's puller notices. */
    private static final Duration FETCH_WAIT = Duration.ofMillis(500);
    private static final Duration CONSUMER_INFO_EVERY = Duration.ofSeconds(5);

    private final StreamRuntime env;
    private final StreamSetup.Source source;
    private final String task;
    private final TaskLabels labels;
    private final JetStream js;
    private final JetStreamSubscription subscription;
    private final Semaphore slots;
    private final Duration progressInterval;
    /** Messages being run, with the time they were last marked in progress (or received). */
    private final Map<Message, Long> running = new ConcurrentHashMap<>();
    private final StreamMetrics counts;
    private final List<Meter> gauges;
    private final MicroService service;
    private final Ticker ticker;
    private final Thread puller;
    private final List<ScheduledFuture<?>> housekeeping = new ArrayList<>();
    private volatile TaskRunner runner;
    private volatile boolean stopping;
    private volatile long pending;
    private volatile long ackPending;

    private StreamBinding(StreamRuntime env, TaskRunner runner) throws ScriptProblem {
        this.env = env;
        this.runner = runner;
        TaskScript script = runner.script();
        this.task = script.name();
        this.source = StreamSetup.sourceOf(script);
        this.labels = new TaskLabels(task, source.subject(), script.language().id());
        Connection connection = env.connection();
        StreamSetup.ensure(jetStreamManagement(connection, script), script, source, env.missingStreams());
        try {
            this.js = connection.jetStream();
            this.subscription = js.subscribe(source.subject(), PullSubscribeOptions.bind(source.stream(), source.durable()));
        } catch (IOException | JetStreamApiException e) {
            throw new ScriptProblem(script.file(), 1, "could not bind to consumer '" + source.durable() + "' of stream '"
                    + source.stream() + "': " + e, e);
        }
        this.slots = new Semaphore(script.header().concurrency());
        this.progressInterval = AckTiming.progressInterval(AckTiming.ackWait(script.header().timeout()));
        this.counts = new StreamMetrics(env.metrics().registry(), task, source.stream());
        this.gauges = env.metrics().gauges("metropolis.stream.consumer.messages",
                "Messages of the task's consumer: pending = not yet delivered (lag), ack_pending = delivered, not yet settled",
                List.of(Tag.create("task", task), Tag.create("stream", source.stream())), "state",
                List.of("pending", "ack_pending"), this, List.of(binding -> binding.pending, binding -> binding.ackPending));
        this.service = new MicroService(connection, MicroService.serviceName(task), script.header().version(),
                script.header().description().isEmpty() ? "Metropolis task " + script.file().getFileName()
                        : script.header().description(), TaskService.metadata(script), List.of());
        this.ticker = script.header().trigger() instanceof Trigger.Schedule schedule
                ? new Ticker(js, source.subject(), task, new TickSchedule(schedule), env.clock(), env.timer(), env.settler())
                : null;
        this.puller = Thread.ofPlatform().daemon(true).name("stream-" + task).unstarted(this::pull);
    }

    private static io.nats.client.JetStreamManagement jetStreamManagement(Connection connection, TaskScript script)
            throws ScriptProblem {
        try {
            return connection.jetStreamManagement();
        } catch (IOException e) {
            throw new ScriptProblem(script.file(), 1, "JetStream is not available: " + e, e);
        }
    }

    /** Ensures the streams and the consumer, then starts pulling (and ticking, for a schedule). */
    public static StreamBinding start(StreamRuntime env, TaskRunner runner) throws ScriptProblem {
        StreamBinding binding = new StreamBinding(env, runner);
        binding.service.start();
        binding.puller.start();
        long every = binding.progressInterval.toMillis();
        binding.housekeeping.add(env.timer().scheduleAtFixedRate(binding::markProgress, every, every, TimeUnit.MILLISECONDS));
        binding.housekeeping.add(env.timer().scheduleAtFixedRate(() -> env.settler().execute(binding::readConsumerInfo),
                0, CONSUMER_INFO_EVERY.toMillis(), TimeUnit.MILLISECONDS));
        if (binding.ticker != null) {
            binding.ticker.start();
        }
        return binding;
    }

    /** Pulls as many messages as there are free slots, and hands each to the runner. */
    private void pull() {
        SlotPuller.pull(task, subscription, slots, FETCH_WAIT, () -> stopping, this::handle); // handle releases on settle
    }

    private void handle(Message message) {
        long delivered = message.metaData().deliveredCount();
        long sequence = message.metaData().streamSequence();
        counts.deliveries.increment();
        if (delivered > 1) {
            counts.redeliveries.increment();
        }
        Map<String, List<String>> headers = headersOf(message, delivered, sequence);
        var exhausted = Settlement.beforeRun(delivered, source.retry());
        if (exhausted.isPresent()) {
            env.settler().execute(() -> settleAndRelease(message, headers, exhausted.get()));
            return;
        }
        running.put(message, env.nanoTime().getAsLong());
        TaskRequest request = new TaskRequest(message.getSubject(), null, headers, message.getData());
        LogContext logContext = LogContext.of(task, request.subject(), request.header(WireHeaders.REQUEST_ID),
                request.header(WireHeaders.TRACEPARENT));
        long started = env.nanoTime().getAsLong();
        CompletableFuture<TaskReply> outcome;
        try (LogContext.Scope scope = LogContext.open(logContext)) {
            TaskRunner current = runner;
            outcome = current.submit(request, logContext);
            while (outcome.isCompletedExceptionally() && current != runner) {
                current = runner; // swapped by a reload while submitting: the new version takes it
                outcome = current.submit(request, logContext);
            }
        }
        outcome.whenCompleteAsync((reply, error) -> {
            TaskError failure = error == null ? null : Incoming.failure(error);
            env.metrics().invocation(labels, failure == null ? "ok" : failure.kind().label(),
                    env.nanoTime().getAsLong() - started);
            try (LogContext.Scope scope = LogContext.open(logContext)) {
                running.remove(message);
                settleAndRelease(message, headers, Settlement.afterRun(failure, delivered, source.retry()));
            }
        }, env.settler());
    }

    private void settleAndRelease(Message message, Map<String, List<String>> headers, Verdict verdict) {
        try {
            settle(message, headers, verdict);
        } catch (RuntimeException e) {
            // Unsettled, the message is redelivered after ack_wait: logged, not lost.
            LOG.log(Level.WARNING, task + ": could not settle stream message " + message.metaData().streamSequence(), e);
        } finally {
            slots.release();
            synchronized (running) {
                running.notifyAll();
            }
        }
    }

    private void settle(Message message, Map<String, List<String>> headers, Verdict verdict) {
        switch (verdict) {
            case Settlement.Ack ack -> {
                message.ack();
                counts.acks.increment();
            }
            case Settlement.Nak nak -> {
                message.nakWithDelay(nak.delay());
                counts.naks.increment();
            }
            case Settlement.Term term -> {
                message.term();
                counts.terms.increment();
                LOG.log(Level.WARNING, "{0}: gave up on stream message {1} after {2} deliveries: {3}", new Object[] {task,
                    message.metaData().streamSequence(), message.metaData().deliveredCount(), term.failure().getMessage()});
            }
            case Settlement.DeadLetter dead -> deadLetter(message, headers, dead);
        }
    }

    private void deadLetter(Message message, Map<String, List<String>> headers, Settlement.DeadLetter dead) {
        String subject = source.retry().deadLetter();
        try {
            js.publish(subject, DeadLetters.headers(headers, task, source.stream(), message.getSubject(),
                    message.metaData().streamSequence(), dead.failure(), dead.deliveries()), message.getData());
        } catch (IOException | JetStreamApiException e) {
            LOG.log(Level.WARNING, task + ": could not publish stream message " + message.metaData().streamSequence()
                    + " to dead-letter subject '" + subject + "', it will be retried: " + e);
            settle(message, headers, Settlement.deadLetterFailed());
            return;
        }
        message.term();
        counts.deadLetters.increment();
        LOG.log(Level.WARNING, "{0}: stream message {1} sent to {2} after {3} deliveries: {4}", new Object[] {task,
            message.metaData().streamSequence(), subject, dead.deliveries(), dead.failure().getMessage()});
    }

    /** Marks every message running for longer than the interval as in progress, so ack_wait does not redeliver it. */
    private void markProgress() {
        long now = env.nanoTime().getAsLong();
        running.forEach((message, last) -> {
            if (AckTiming.progressDue(last, now, progressInterval)) {
                try {
                    message.inProgress();
                    running.replace(message, last, now);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, task + ": could not mark a message in progress: " + e);
                }
            }
        });
    }

    private void readConsumerInfo() {
        try {
            ConsumerInfo info = subscription.getConsumerInfo();
            pending = info.getNumPending();
            ackPending = info.getNumAckPending();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.log(Level.FINE, task + ": could not read the consumer's state: " + e); // the gauges keep the last values
        }
    }

    /** The message's headers with the delivery count and stream sequence, and a request id when it has none. */
    private static Map<String, List<String>> headersOf(Message message, long delivered, long sequence) {
        Map<String, List<String>> headers = Incoming.headers(message);
        headers.put(WireHeaders.DELIVERIES, List.of(Long.toString(delivered)));
        headers.put(WireHeaders.STREAM_SEQUENCE, List.of(Long.toString(sequence)));
        return headers;
    }

    @Override
    public TaskRunner runner() {
        return runner;
    }

    @Override
    public TaskRunner swap(TaskRunner next) {
        TaskRunner previous = runner;
        runner = next;
        return previous;
    }

    /**
     * Stops pulling (the last batch is still handed over), waits up to the drain timeout for the
     * messages running to be settled, then closes the runner. Messages not settled by then are
     * redelivered after {@code ack_wait}, to this host's successor or another host.
     */
    @Override
    public void retire(boolean drain) {
        stopping = true;
        if (ticker != null) {
            ticker.stop();
        }
        service.stop(drain, env.drainTimeout());
        try {
            puller.join(FETCH_WAIT.multipliedBy(4).toMillis());
            awaitSettled(env.drainTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        housekeeping.forEach(future -> future.cancel(false));
        try {
            subscription.unsubscribe();
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, task + ": subscription already closed: " + e);
        }
        env.metrics().remove(gauges);
        runner.close(env.drainTimeout());
    }

    private void awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int all = runner.script().header().concurrency();
        synchronized (running) {
            while (slots.availablePermits() < all) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.log(Level.WARNING, "{0}: {1} stream message(s) still running at the end of the drain timeout;"
                            + " they will be redelivered", new Object[] {task, all - slots.availablePermits()});
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(running, left);
            }
        }
    }
}

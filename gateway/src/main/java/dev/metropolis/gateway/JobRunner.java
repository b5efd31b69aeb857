package dev.metropolis.gateway;

import dev.metropolis.nats.Replies;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import dev.metropolis.nats.SlotPuller;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs jobs: every gateway pulls from one durable consumer of the jobs stream, sends each job to
 * its task over NATS request/reply (as a synchronous request, with the task's timeout and the
 * same retries), records its state, then acks it. A gateway that dies mid-job stops marking it in
 * progress; JetStream redelivers it after {@link #ACK_WAIT} to a gateway still running.
 */
final class JobRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());
    static final String DURABLE = "metropolis_gateway_jobs";
    static final Duration ACK_WAIT = Duration.ofSeconds(30);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    private static final Duration FETCH_WAIT = Duration.ofMillis(500);
    /** Jobs one gateway runs at once. */
    static final int CONCURRENCY = 64;

    private final JobStore store;
    private final Supplier<RouteTable> routes;
    private final TaskRequester requester;
    private final Callbacks callbacks;
    private final GatewayMetrics metrics;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final JetStreamSubscription subscription;
    private final Semaphore slots = new Semaphore(CONCURRENCY);
    private final Thread puller;
    private volatile boolean stopping;

    JobRunner(Connection connection, JobStore store, Supplier<RouteTable> routes, TaskRequester requester, Callbacks callbacks,
            GatewayMetrics metrics, ScheduledExecutorService timer, Clock clock) throws IOException, JetStreamApiException {
        this.store = store;
        this.routes = routes;
        this.requester = requester;
        this.callbacks = callbacks;
        this.metrics = metrics;
        this.timer = timer;
        this.clock = clock;
        connection.jetStreamManagement().addOrUpdateConsumer(JobStore.STREAM, ConsumerConfiguration.builder().durable(DURABLE)
                .filterSubject(JobStore.SUBJECT_PREFIX + ">").ackPolicy(AckPolicy.Explicit).ackWait(ACK_WAIT)
                .maxDeliver(-1) // attempts are counted here: see JobAttempts
                .build());
        this.subscription = connection.jetStream().subscribe(JobStore.SUBJECT_PREFIX + ">",
                PullSubscribeOptions.bind(JobStore.STREAM, DURABLE));
        this.puller = Thread.ofPlatform().daemon(true).name("gateway-jobs").start(this::pull);
    }

    private void pull() {
        SlotPuller.pull("jobs", subscription, slots, FETCH_WAIT, () -> stopping, message ->
                Thread.ofVirtual().name("job").start(() -> {
                    try {
                        run(message);
                    } finally {
                        slots.release();
                    }
                }));
    }

    private void run(Message message) {
        Headers stored = message.getHeaders();
        String id = stored.getFirst(JobSubmitter.JOB_ID);
        int attempt = (int) message.metaData().deliveredCount();
        try {
            Job job = store.get(id).orElseGet(() -> Job.queued(id, stored.getFirst(JobSubmitter.JOB_TASK),
                    stored.getFirst(JobSubmitter.JOB_SUBJECT), java.time.Instant.parse(stored.getFirst(JobSubmitter.JOB_CREATED)),
                    stored.getFirst(JobSubmitter.JOB_CALLBACK)));
            if (job.state().finished()) {
                message.ack(); // finished by a gateway that stopped before its ack arrived
                return;
            }
            Job running = job.running(attempt, clock.instant());
            store.put(running);
            metrics.job(Job.State.RUNNING);
            Job.Reply reply = call(message, running);
            Optional<Duration> retry = JobAttempts.retryAfter(reply.status(), attempt);
            if (retry.isPresent()) {
                store.put(running.requeued(attempt));
                metrics.job(Job.State.QUEUED);
                message.nakWithDelay(retry.get());
                return;
            }
            Job finished = running.finished(attempt, reply, clock.instant());
            store.put(finished);
            metrics.job(finished.state());
            message.ack();
            callbacks.send(finished);
        } catch (RuntimeException e) {
            // Not settled: redelivered after ack_wait, and counted as an attempt then.
            LOG.log(Level.WARNING, "job " + id + ": could not be run or recorded; JetStream will deliver it again", e);
        }
    }

    /** One attempt: the task's reply, or the error that stood for it (no host, no reply in time). */
    private Job.Reply call(Message message, Job job) {
        Optional<RouteTable.Match> match = routes.get().forSubject(job.subject());
        if (match.isEmpty()) {
            return errorReply(TaskError.of(ErrorKind.UNAVAILABLE, "no host serves subject '" + job.subject()
                    + "' right now"), job);
        }
        Headers headers = new Headers();
        message.getHeaders().entrySet().forEach(header -> {
            if (!header.getKey().equals(WireHeaders.MSG_ID)) {
                headers.put(header.getKey(), header.getValue());
            }
        });
        String method = Optional.ofNullable(headers.getFirst(WireHeaders.METHOD)).orElse("POST");
        ScheduledFuture<?> progress = timer.scheduleAtFixedRate(message::inProgress, PROGRESS_EVERY.toMillis(),
                PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        try {
            Message reply = requester.request(match.get(), method, headers, message.getData(), match.get().route().timeout());
            byte[] body = reply.getData() == null ? new byte[0] : reply.getData();
            int status = Replies.status(reply);
            // As the synchronous answer has it: an envelope's code is the status, its data the JSON body.
            return Envelope.answer(match.get().route(), status, body)
                    .map(unwrapped -> new Job.Reply(unwrapped.status(), TaskReply.JSON, unwrapped.body()))
                    .orElseGet(() -> new Job.Reply(status, Replies.header(reply, WireHeaders.CONTENT_TYPE), body));
        } catch (TaskError error) {
            return errorReply(error, job);
        } finally {
            progress.cancel(false);
        }
    }

    private static Job.Reply errorReply(TaskError error, Job job) {
        return new Job.Reply(error.code(), TaskReply.JSON, Replies.errorBody(error, job.task(), job.subject()));
    }

    @Override
    public void close() {
        stopping = true;
        try {
            puller.join(FETCH_WAIT.multipliedBy(4).toMillis());
            subscription.unsubscribe();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "jobs: subscription already closed: " + e);
        }
    }
}

package dev.metropolis.runner;

import dev.metropolis.guest.GuestContext;
import dev.metropolis.guest.GuestStream;
import dev.metropolis.logging.LogContext;
import dev.metropolis.pool.ContextPool;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.PolyglotException;

/**
 * Runs one script's messages: at most {@code concurrency} at once on platform threads, at most
 * {@code max_pending} waiting, each bounded by the script's timeout. Every message ends in a
 * reply or a {@link TaskError}; none is dropped.
 */
public final class TaskRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskRunner.class.getName());
    /** How long an interrupted guest gets to stop before its context is cancelled and replaced. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(1);

    private final TaskScript script;
    private final ContextPool<GuestContext> pool;
    private final Watchdog watchdog;
    private final LongSupplier nanoTime;
    private final ThreadPoolExecutor workers;
    /**
     * Admission: {@code concurrency + max_pending} messages at most, running or waiting. Counted
     * here rather than by the executor's queue bound, which would refuse a burst arriving at idle
     * workers before they pick up what is queued.
     */
    private final Semaphore admitted;
    /** The calls running now: a close that outlasts its drain cancels them, so a stuck one cannot hold a shutdown. */
    private final Set<GuardedCall> running = ConcurrentHashMap.newKeySet();
    /** Whether the script's task function is a generator (its first context said so). */
    private final boolean streams;
    private final CallFailures failures;

    /**
     * @param script   the script version served
     * @param pool     its warm contexts
     * @param watchdog fires timeouts (shared by all runners)
     * @param nanoTime the clock deadlines are measured on
     */
    public TaskRunner(TaskScript script, ContextPool<GuestContext> pool, Watchdog watchdog, LongSupplier nanoTime) {
        this(script, pool, watchdog, nanoTime, false);
    }

    /** A runner of a script whose task function is a generator when {@code streams} (announced in discovery). */
    public TaskRunner(TaskScript script, ContextPool<GuestContext> pool, Watchdog watchdog, LongSupplier nanoTime,
            boolean streams) {
        this.streams = streams;
        this.failures = new CallFailures(script.name(), script.header().timeout());
        this.script = script;
        this.pool = pool;
        this.watchdog = watchdog;
        this.nanoTime = nanoTime;
        int concurrency = script.header().concurrency();
        this.admitted = new Semaphore(concurrency + script.header().maxPending());
        this.workers = new ThreadPoolExecutor(concurrency, concurrency, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                platformThreads("task-" + script.name()));
        this.workers.allowCoreThreadTimeOut(true);
    }

    public TaskScript script() {
        return script;
    }

    /** Whether the task function is a generator: its replies are streams of chunks. */
    public boolean streams() {
        return streams;
    }

    /** The counts of this version's contexts. */
    public ContextPool.PoolStats poolStats() {
        return pool.stats();
    }

    /**
     * Queues a message, to be logged under {@code logContext}; the future completes with the
     * reply or a {@link TaskError}.
     */
    public CompletableFuture<TaskReply> submit(TaskRequest request, LogContext logContext) {
        return submit(request, logContext, ChunkSink.REFUSED);
    }

    /**
     * Queues a message whose answer may be a stream: its chunks go to {@code sink} as the generator
     * yields them, and the future completes when the stream has ended (or with its error).
     */
    public CompletableFuture<TaskReply> submit(TaskRequest request, LogContext logContext, ChunkSink sink) {
        Duration timeout = request.timeout(script.header().timeout());
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        CompletableFuture<TaskReply> reply = new CompletableFuture<>();
        if (!admitted.tryAcquire()) {
            reply.completeExceptionally(TaskError.of(ErrorKind.BUSY, "task '" + script.name() + "' is busy: "
                    + workers.getActiveCount() + " calls running and " + workers.getQueue().size()
                    + " waiting, the most it takes (concurrency " + script.header().concurrency() + ", max_pending "
                    + script.header().maxPending() + "); retry later"));
            return reply;
        }
        reply.whenComplete((done, error) -> admitted.release());
        try {
            workers.execute(new Pending(request, logContext, deadline, timeout, reply, sink));
        } catch (RejectedExecutionException e) {
            reply.completeExceptionally(TaskError.of(ErrorKind.UNAVAILABLE,
                    "task '" + script.name() + "' is stopping; retry on another host"));
        }
        return reply;
    }

    /** A queued message; kept as its own type so a shutdown can answer the ones that never ran. */
    private final class Pending implements Runnable {
        private final TaskRequest request;
        private final LogContext logContext;
        private final long deadline;
        private final Duration timeout;
        private final CompletableFuture<TaskReply> reply;
        private final ChunkSink sink;

        Pending(TaskRequest request, LogContext logContext, long deadline, Duration timeout,
                CompletableFuture<TaskReply> reply, ChunkSink sink) {
            this.sink = sink;
            this.request = request;
            this.logContext = logContext;
            this.deadline = deadline;
            this.timeout = timeout;
            this.reply = reply;
        }

        @Override
        public void run() {
            TaskRunner.this.run(request, logContext, deadline, timeout, reply, sink);
        }

        void abandon() {
            reply.completeExceptionally(TaskError.of(ErrorKind.UNAVAILABLE,
                    "task '" + script.name() + "' stopped before this message ran; retry"));
        }
    }

    private void run(TaskRequest request, LogContext logContext, long deadline, Duration timeout,
            CompletableFuture<TaskReply> reply, ChunkSink sink) {
        try (LogContext.Scope scope = LogContext.open(logContext)) {
            Payload payload = Payload.classify(request.header("Content-Type"), request.data());
            if (script.header().schemas().input() != null) {
                InputCheck.check(script.header().schemas().input(), script.name(), payload); // before a context is leased
            }
            reply.complete(pool.execute(deadline, lease -> call(lease, request, payload, deadline, timeout, sink)));
        } catch (TaskError e) {
            reply.completeExceptionally(e);
        } catch (OutOfMemoryError e) {
            // The call that was allocating when the heap ran out is the one that fails; the host goes on.
            LOG.log(Level.WARNING, "task ''{0}'' ran out of memory on subject ''{1}''", new Object[] {script.name(),
                request.subject()});
            reply.completeExceptionally(failures.outOfMemory(request));
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "task '" + script.name() + "' failed unexpectedly on subject '" + request.subject() + "'", e);
            reply.completeExceptionally(TaskError.of(ErrorKind.CRASHED,
                    "internal error in the host while running task '" + script.name() + "'; the host's log has the details"));
        }
    }

    private TaskReply call(ContextPool.Lease<GuestContext> lease, TaskRequest request, Payload payload, long deadline,
            Duration timeout, ChunkSink sink) {
        if (deadline - nanoTime.getAsLong() <= 0) {
            throw failures.timedOut(request, timeout, "waited for a free context until its timeout");
        }
        GuestContext.Outcome outcome = step(lease, request, deadline, () -> failures.timedOut(request, timeout, "was interrupted"),
                remaining -> lease.context().start(request, payload, remaining));
        if (outcome instanceof GuestContext.Outcome.Reply whole) {
            return whole.reply();
        }
        Duration streamTimeout = script.header().streamTimeout();
        long streamEnd = deadline - timeout.toNanos() + streamTimeout.toNanos();
        StreamPump.Stepper stepper = new StreamPump.Stepper() {
            @Override
            public <T> T step(long due, StreamPump.Limit limit, java.util.function.Function<Duration, T> work) {
                return TaskRunner.this.step(lease, request, due, () -> limit.error(script.name(), request.subject()), work);
            }
        };
        new StreamPump(script.name(), request.subject(), stepper, nanoTime)
                .pump((GuestStream) outcome, sink, deadline, timeout, streamEnd, streamTimeout);
        return TaskReply.empty();
    }

    /**
     * Runs one step of guest code on the leased context, interrupted by the watchdog at {@code deadline};
     * an interrupted step fails with the error {@code timedOut} makes.
     */
    private <T> T step(ContextPool.Lease<GuestContext> lease, TaskRequest request, long deadline,
            java.util.function.Supplier<TaskError> timedOut, java.util.function.Function<Duration, T> work) {
        long remaining = deadline - nanoTime.getAsLong();
        if (remaining <= 0) {
            throw timedOut.get();
        }
        GuardedCall guard = GuardedCall.on(lease.context(), INTERRUPT_GRACE);
        Watchdog.Watch watch = watchdog.watch(guard, remaining);
        running.add(guard);
        try {
            return work.apply(Duration.ofNanos(remaining));
        } catch (PolyglotException e) {
            watch.cancel();
            guard.finish();
            throw failures.escaped(e, guard, request, timedOut, lease::evict);
        } finally {
            running.remove(guard);
            watch.cancel();
            guard.finish();
            if (guard.cancelled()) {
                lease.evict();
            }
        }
    }

    /**
     * Stops taking messages, lets queued and running ones finish for up to {@code drain}, then
     * closes the pool. Messages still queued after that get an UNAVAILABLE error.
     */
    public void close(Duration drain) {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(drain.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.log(Level.WARNING, "task ''{0}'': calls still running after the drain timeout of {1}; stopping them",
                        new Object[] {script.name(), drain});
                abandon(workers.shutdownNow());
                stopRunning();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(workers.shutdownNow());
        }
        pool.close();
    }

    /** Cancels the calls still running after the drain: a guest ignores Java's thread interrupts. */
    private void stopRunning() {
        boolean interrupted = Thread.interrupted();
        try {
            for (GuardedCall call : running) {
                call.stop();
            }
        } finally {
            // Cancelling a context from this thread leaves this thread's interrupt flag set: cleared, so
            // the caller's next wait (a service waiting for its replies) is not cut short by it.
            Thread.interrupted();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void abandon(java.util.List<Runnable> neverRan) {
        neverRan.forEach(pending -> ((Pending) pending).abandon());
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private static java.util.concurrent.ThreadFactory platformThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        // Guest code runs on platform threads: GraalPy refuses virtual threads.
        return task -> Thread.ofPlatform().daemon(true).name(prefix + "-" + count.incrementAndGet()).unstarted(task);
    }
}

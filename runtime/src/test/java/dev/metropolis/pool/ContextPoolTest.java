package dev.metropolis.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import dev.metropolis.pool.ContextPool.PoolStats;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

// The fake clock never moves on its own, so a pool that wrongly waits would wait forever: the timeout
// interrupts it and the lease fails instead of hanging the build.
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ContextPoolTest {
    /** Long enough never to be reached by a passing test; only a broken pool would wait this long. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ManualExecutor creator = new ManualExecutor();
    private final FakeFactory factory = new FakeFactory();

    private ContextPool<FakeContext> pool(int maxSize) {
        return new ContextPool<>("reverse", maxSize, factory, creator, now::get);
    }

    /** A deadline the fake clock never reaches on its own. */
    private long later() {
        return now.get() + PATIENCE_NANOS;
    }

    /** A deadline that has already passed: leasing with it throws at once instead of waiting. */
    private long alreadyPassed() {
        return now.get() - 1;
    }

    /** Leases a context and reports which one it was. */
    private static FakeContext leasedContext(ContextPool<FakeContext> pool, long deadline) {
        return pool.execute(deadline, ContextPool.Lease::context);
    }

    private static <T> Function<ContextPool.Lease<FakeContext>, T> returning(T value) {
        return lease -> value;
    }

    // ---- construction and warm-up ------------------------------------------------------------------

    @Test
    void rejectsAMaxSizeBelowOne() {
        assertThatThrownBy(() -> pool(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be at least 1, got 0");
    }

    @Test
    void warmUpCreatesOneContextInTheCallingThread() throws Exception {
        ContextPool<FakeContext> pool = pool(4);

        pool.warmUp();

        assertThat(factory.created).hasSize(1);
        assertThat(factory.threads).containsExactly(Thread.currentThread());
        assertThat(creator.pending()).isZero();
        assertThat(pool.stats()).isEqualTo(new PoolStats(1, 1, 0, 0));
    }

    @Test
    void warmUpPropagatesTheFactorysFailure() {
        ContextPool<FakeContext> pool = pool(2);
        factory.failWith("SyntaxError: invalid syntax (reverse.py, line 3)");

        assertThatThrownBy(pool::warmUp).hasMessage("SyntaxError: invalid syntax (reverse.py, line 3)");
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 0));
    }

    @Test
    void warmUpAfterCloseClosesTheNewContext() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.close();

        pool.warmUp();

        assertThat(factory.created).singleElement().satisfies(context -> assertThat(context.closed).isTrue());
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 0));
    }

    // ---- leasing ------------------------------------------------------------------------------------

    @Test
    void executeReturnsTheWorksResultAndGivesTheContextBack() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();

        FakeContext first = leasedContext(pool, later());
        FakeContext second = leasedContext(pool, later());

        assertThat(second).isSameAs(first).isSameAs(factory.created.get(0));
        assertThat(first.closed).isFalse();
        assertThat(pool.stats()).isEqualTo(new PoolStats(1, 1, 0, 0));
    }

    @Test
    void workThatThrowsStillGivesTheContextBack() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();

        assertThatThrownBy(() -> pool.execute(later(), lease -> {
            throw new IllegalStateException("guest failed");
        })).hasMessage("guest failed");

        assertThat(pool.stats()).isEqualTo(new PoolStats(1, 1, 0, 0));
        assertThat(factory.created.get(0).closed).isFalse();
    }

    @Test
    void twoConcurrentLeasesHoldDifferentContexts() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        CountDownLatch firstHolds = new CountDownLatch(1);
        CountDownLatch secondHolds = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);

        Started<FakeContext> first = start(() -> pool.execute(later(), lease -> {
            firstHolds.countDown();
            await(finish);
            return lease.context();
        }));
        assertThat(firstHolds.await(5, TimeUnit.SECONDS)).isTrue();
        creator.runAll(); // the spare started when the first lease took the last idle context
        Started<FakeContext> second = start(() -> pool.execute(later(), lease -> {
            secondHolds.countDown();
            await(finish);
            return lease.context();
        }));
        assertThat(secondHolds.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(pool.stats()).isEqualTo(new PoolStats(2, 0, 2, 0));
        finish.countDown();
        assertThat(first.get()).isNotSameAs(second.get());
        assertThat(pool.stats()).isEqualTo(new PoolStats(2, 2, 0, 0));
    }

    @Test
    void aLeaseWaitsWhileTheOnlyContextIsHeldAndGetsItWhenReturned() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();
        AtomicBoolean firstReturned = new AtomicBoolean();
        CountDownLatch firstHolds = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);

        Started<FakeContext> first = start(() -> pool.execute(later(), lease -> {
            firstHolds.countDown();
            await(finish);
            firstReturned.set(true);
            return lease.context();
        }));
        assertThat(firstHolds.await(5, TimeUnit.SECONDS)).isTrue();
        Started<Boolean> second = start(() -> pool.execute(later(), lease -> {
            assertThat(lease.context()).isSameAs(factory.created.get(0));
            return firstReturned.get();
        }));
        awaitWaiting(second.thread());

        assertThat(second.result().isDone()).as("second lease finished while the only context was held").isFalse();
        finish.countDown();
        assertThat(first.get()).isSameAs(factory.created.get(0));
        assertThat(second.get()).as("second lease ran only after the first had returned").isTrue();
    }

    @Test
    void manyThreadsNeverShareAContext() throws Exception {
        // Creations run inline here so the pool really grows while the threads compete.
        ContextPool<FakeContext> pool = new ContextPool<>("reverse", 3, factory, Runnable::run, now::get);
        pool.warmUp();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Started<Integer>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(start(() -> {
                await(go);
                for (int i = 0; i < 250; i++) {
                    pool.execute(later(), lease -> {
                        if (!lease.context().inUse.compareAndSet(false, true)) {
                            overlaps.incrementAndGet();
                        }
                        Thread.yield();
                        lease.context().inUse.set(false);
                        return null;
                    });
                }
                return 0;
            }));
        }
        go.countDown();
        for (Started<Integer> worker : workers) {
            worker.get();
        }

        assertThat(overlaps).hasValue(0);
        assertThat(factory.created).hasSizeLessThanOrEqualTo(3);
        assertThat(pool.stats().leased()).isZero();
    }

    @Test
    void theMostRecentlyReturnedContextIsLeasedFirst() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        FakeContext[] held = new FakeContext[2];

        pool.execute(later(), outer -> {
            held[0] = outer.context();
            creator.runAll();
            return pool.execute(later(), inner -> held[1] = inner.context()); // inner goes back first
        });

        assertThat(held[0]).isNotSameAs(held[1]);
        assertThat(leasedContext(pool, later())).isSameAs(held[0]);
    }

    // ---- growth -------------------------------------------------------------------------------------

    @Test
    void takingTheLastIdleContextSchedulesOneCreation() throws Exception {
        ContextPool<FakeContext> pool = pool(3);
        pool.warmUp();

        PoolStats during = pool.execute(later(), lease -> pool.stats());

        assertThat(creator.pending()).isEqualTo(1);
        assertThat(during).isEqualTo(new PoolStats(1, 0, 1, 1));
        assertThat(factory.created).as("creation waits for the executor").hasSize(1);

        creator.runAll();

        assertThat(factory.created).hasSize(2);
        assertThat(pool.stats()).isEqualTo(new PoolStats(2, 2, 0, 0));
    }

    @Test
    void takingAContextWhileOthersAreIdleSchedulesNothing() throws Exception {
        ContextPool<FakeContext> pool = pool(3);
        pool.warmUp();
        pool.execute(later(), returning(null));
        creator.runAll();
        assertThat(pool.stats()).isEqualTo(new PoolStats(2, 2, 0, 0));

        pool.execute(later(), returning(null));

        assertThat(creator.pending()).isZero();
    }

    @Test
    void neverMoreThanOneCreationAtATime() throws Exception {
        ContextPool<FakeContext> pool = pool(5);
        pool.warmUp();

        pool.execute(later(), outer -> {
            assertThat(creator.pending()).isEqualTo(1);
            // A second caller finds nothing idle; it must not start a second creation.
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> pool.execute(alreadyPassed(), returning(null)))
                        .isInstanceOf(TaskError.class);
            }
            assertThat(creator.pending()).isEqualTo(1);
            assertThat(pool.stats().creating()).isEqualTo(1);
            return null;
        });
    }

    @Test
    void growthStopsAtMaxSize() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();

        pool.execute(later(), outer -> {
            creator.runAll();
            return pool.execute(later(), inner -> {
                // Both contexts are leased and the pool is full: no creation, and a third caller times out.
                assertThat(creator.pending()).isZero();
                assertThat(pool.stats()).isEqualTo(new PoolStats(2, 0, 2, 0));
                TaskError error = catchThrowableOfType(TaskError.class,
                        () -> pool.execute(alreadyPassed(), returning(null)));
                assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
                assertThat(creator.pending()).isZero();
                return null;
            });
        });

        assertThat(factory.created).hasSize(2);
    }

    @Test
    void aLeasePastItsDeadlineWithNothingIdleTimesOut() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();

        pool.execute(later(), lease -> {
            long deadline = now.get() + TimeUnit.MILLISECONDS.toNanos(250);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(251));
            TaskError error = catchThrowableOfType(TaskError.class, () -> pool.execute(deadline, returning(null)));
            assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
            assertThat(error.code()).isEqualTo(504);
            assertThat(error.getMessage()).contains("'reverse'", "all 1 were busy", "'concurrency'");
            return null;
        });
        assertThat(pool.stats()).isEqualTo(new PoolStats(1, 1, 0, 0));
    }

    @Test
    void aLeasePastItsDeadlineStillGetsAnIdleContext() throws Exception {
        // The deadline bounds waiting, not leasing: an idle context is handed out without a clock check.
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();

        assertThat(leasedContext(pool, alreadyPassed())).isSameAs(factory.created.get(0));
    }

    @Test
    void anExecutorThatRefusesLeavesNoCreationCounted() throws Exception {
        Executor refusing = task -> {
            throw new RejectedExecutionException("shut down");
        };
        ContextPool<FakeContext> pool = new ContextPool<>("reverse", 2, factory, refusing, now::get);
        pool.warmUp();

        PoolStats during = pool.execute(later(), lease -> pool.stats());

        assertThat(during).isEqualTo(new PoolStats(1, 0, 1, 0));
        assertThat(pool.awaitQuiet(Duration.ZERO)).isTrue();
    }

    // ---- eviction -----------------------------------------------------------------------------------

    @Test
    void anEvictedContextIsClosedAndReplaced() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();
        FakeContext broken = factory.created.get(0);

        pool.execute(later(), lease -> {
            lease.evict();
            return null;
        });

        assertThat(broken.closed).isTrue();
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 1));
        assertThat(creator.pending()).isEqualTo(1);

        creator.runAll();

        FakeContext replacement = leasedContext(pool, later());
        assertThat(replacement).isNotSameAs(broken).isSameAs(factory.created.get(1));
        assertThat(replacement.closed).isFalse();
        assertThat(pool.stats()).isEqualTo(new PoolStats(1, 1, 0, 0));
    }

    // ---- closing ------------------------------------------------------------------------------------

    @Test
    void closeClosesIdleContextsAtOnceAndLeasedOnesWhenTheirWorkReturns() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        FakeContext leased = factory.created.get(0);

        pool.execute(later(), lease -> {
            creator.runAll();
            FakeContext idle = factory.created.get(1);

            pool.close();

            assertThat(idle.closed).isTrue();
            assertThat(leased.closed).as("still in use").isFalse();
            assertThat(pool.stats()).isEqualTo(new PoolStats(1, 0, 1, 0));
            return null;
        });

        assertThat(leased.closed).isTrue();
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 0));
    }

    @Test
    void leasesAfterCloseAreUnavailable() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        pool.close();

        TaskError error = catchThrowableOfType(TaskError.class, () -> pool.execute(later(), returning(null)));

        assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(error.code()).isEqualTo(503);
        assertThat(error.getMessage()).contains("'reverse'", "stopping");
    }

    @Test
    void closeWakesAWaitingLeaseWithUnavailable() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();

        pool.execute(later(), lease -> {
            Started<Object> waiter = start(() -> pool.execute(later(), returning(null)));
            awaitWaiting(waiter.thread());

            pool.close();

            Throwable failure = catchThrowableOfType(ExecutionException.class, waiter::get).getCause();
            assertThat(failure).isInstanceOfSatisfying(TaskError.class,
                    error -> assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
            return null;
        });
    }

    @Test
    void aCreationThatFinishesAfterCloseIsClosed() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        pool.execute(later(), lease -> {
            pool.close();
            return null;
        });
        assertThat(creator.pending()).isEqualTo(1);

        creator.runAll();

        assertThat(factory.created).hasSize(2).allSatisfy(context -> assertThat(context.closed).isTrue());
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 0));
    }

    @Test
    void closeStartsNoReplacementForAnEvictedContext() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();

        pool.execute(later(), lease -> {
            pool.close();
            lease.evict();
            return null;
        });

        assertThat(creator.pending()).isZero();
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 0));
    }

    // ---- failing factory ----------------------------------------------------------------------------

    @Test
    void aFailedCreationIsRetriedOnlyAfterTheBackOff() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        factory.failWith("ModuleNotFoundError: No module named 'numpy'");
        assertThatThrownBy(() -> pool.execute(alreadyPassed(), returning(null))).isInstanceOf(TaskError.class);
        assertThat(creator.pending()).isEqualTo(1);
        creator.runAll(); // fails
        assertThat(factory.attempts).hasValue(1);

        now.addAndGet(ContextPool.RETRY_AFTER_FAILURE_NANOS - 1);
        assertThatThrownBy(() -> pool.execute(alreadyPassed(), returning(null))).isInstanceOf(TaskError.class);
        assertThat(creator.pending()).as("still backing off").isZero();

        now.addAndGet(1);
        factory.succeed();
        assertThatThrownBy(() -> pool.execute(alreadyPassed(), returning(null))).isInstanceOf(TaskError.class);
        assertThat(creator.pending()).as("back-off over").isEqualTo(1);
        creator.runAll();

        assertThat(factory.attempts).hasValue(2);
        assertThat(leasedContext(pool, later())).isSameAs(factory.created.get(0));
    }

    @Test
    void withNoContextEverCreatedATimedOutLeaseReportsTheFactorysFailure() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        factory.failWith("ModuleNotFoundError: No module named 'numpy'");
        assertThatThrownBy(() -> pool.execute(alreadyPassed(), returning(null))).isInstanceOf(TaskError.class);
        creator.runAll();

        TaskError error = catchThrowableOfType(TaskError.class, () -> pool.execute(alreadyPassed(), returning(null)));

        assertThat(error.kind()).isEqualTo(ErrorKind.CRASHED);
        assertThat(error.code()).isEqualTo(500);
        assertThat(error.getMessage()).contains("'reverse'", "ModuleNotFoundError: No module named 'numpy'");
    }

    @Test
    void beforeAnyCreationHasFailedATimedOutLeaseIsTimedOut() {
        ContextPool<FakeContext> pool = pool(2);

        TaskError error = catchThrowableOfType(TaskError.class, () -> pool.execute(alreadyPassed(), returning(null)));

        assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
    }

    @Test
    void aFailedCreationWithAWorkingContextAliveStillReportsTimedOut() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        factory.failWith("out of memory");

        pool.execute(later(), lease -> {
            creator.runAll(); // the spare fails
            TaskError error = catchThrowableOfType(TaskError.class, () -> pool.execute(alreadyPassed(), returning(null)));
            assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
            return null;
        });
    }

    @Test
    void aFailureThatWasFollowedBySuccessIsNotReportedLater() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        factory.failWith("transient failure");
        assertThatThrownBy(() -> pool.execute(alreadyPassed(), returning(null))).isInstanceOf(TaskError.class);
        creator.runAll(); // fails
        now.addAndGet(ContextPool.RETRY_AFTER_FAILURE_NANOS);
        factory.succeed();
        assertThatThrownBy(() -> pool.execute(alreadyPassed(), returning(null))).isInstanceOf(TaskError.class);
        creator.runAll(); // succeeds
        pool.execute(later(), lease -> {
            lease.evict(); // a guest crash; the replacement is being created
            return null;
        });

        TaskError error = catchThrowableOfType(TaskError.class, () -> pool.execute(alreadyPassed(), returning(null)));

        assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
    }

    @Test
    void aFactoryThrowingAnErrorDoesNotLeaveACreationCounted() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        factory.failWithError(new ExceptionInInitializerError("static init failed"));

        pool.execute(later(), lease -> {
            try {
                creator.runAll();
            } catch (ExceptionInInitializerError expected) {
                // a real executor's thread would die with it; what matters is the pool's bookkeeping
            }
            return null;
        });

        assertThat(pool.stats().creating()).isZero();
        assertThat(pool.awaitQuiet(Duration.ZERO)).isTrue();
    }

    @Test
    void growsOnAClockWhoseOriginIsNegative() throws Exception {
        now.set(-TimeUnit.HOURS.toNanos(1));
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();

        pool.execute(later(), returning(null));

        assertThat(creator.pending()).isEqualTo(1);
    }

    // ---- stats and quiet ----------------------------------------------------------------------------

    @Test
    void statsCountLiveIdleLeasedAndCreating() throws Exception {
        ContextPool<FakeContext> pool = pool(3);
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 0));
        pool.warmUp();
        assertThat(pool.stats()).isEqualTo(new PoolStats(1, 1, 0, 0));

        pool.execute(later(), outer -> {
            assertThat(pool.stats()).isEqualTo(new PoolStats(1, 0, 1, 1));
            creator.runAll();
            assertThat(pool.stats()).isEqualTo(new PoolStats(2, 1, 1, 0));
            return pool.execute(later(), inner -> {
                assertThat(pool.stats()).isEqualTo(new PoolStats(2, 0, 2, 1));
                return null;
            });
        });

        assertThat(pool.stats()).isEqualTo(new PoolStats(2, 2, 0, 1));
        creator.runAll();
        assertThat(pool.stats()).isEqualTo(new PoolStats(3, 3, 0, 0));
    }

    @Test
    void awaitQuietIsTrueAtOnceForAnIdlePool() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();

        assertThat(pool.awaitQuiet(Duration.ZERO)).isTrue();
    }

    @Test
    void awaitQuietTimesOutWhileAContextIsLeased() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();

        boolean quiet = pool.execute(later(), lease -> awaitQuiet(pool, Duration.ZERO));

        assertThat(quiet).isFalse();
        assertThat(pool.awaitQuiet(Duration.ZERO)).isTrue();
    }

    @Test
    void awaitQuietTimesOutWhileAContextIsBeingCreated() throws Exception {
        ContextPool<FakeContext> pool = pool(2);
        pool.warmUp();
        pool.execute(later(), returning(null));
        assertThat(pool.stats()).isEqualTo(new PoolStats(1, 1, 0, 1));

        assertThat(pool.awaitQuiet(Duration.ZERO)).isFalse();

        creator.runAll();

        assertThat(pool.awaitQuiet(Duration.ZERO)).isTrue();
    }

    @Test
    void awaitQuietReturnsWhenTheLastLeaseEnds() throws Exception {
        ContextPool<FakeContext> pool = pool(1);
        pool.warmUp();
        CountDownLatch holds = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Started<Object> lease = start(() -> pool.execute(later(), l -> {
            holds.countDown();
            await(finish);
            return null;
        }));
        assertThat(holds.await(5, TimeUnit.SECONDS)).isTrue();

        Started<Boolean> quiet = start(() -> pool.awaitQuiet(Duration.ofNanos(PATIENCE_NANOS)));
        awaitWaiting(quiet.thread());
        assertThat(quiet.result().isDone()).isFalse();
        finish.countDown();

        assertThat(quiet.get()).isTrue();
        lease.get();
    }

    // ---- fixtures -----------------------------------------------------------------------------------

    private static boolean awaitQuiet(ContextPool<?> pool, Duration timeout) {
        try {
            return pool.awaitQuiet(timeout);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released in time");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits (with a deadline) until the thread is parked with a timeout, i.e. inside the pool's awaitNanos. */
    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (thread.getState() != Thread.State.TIMED_WAITING) {
            if (!thread.isAlive()) {
                fail(thread.getName() + " finished instead of waiting for a context");
            }
            if (System.nanoTime() - deadline > 0) {
                fail(thread.getName() + " did not start waiting: " + thread.getState());
            }
            Thread.yield();
        }
    }

    private static <T> Started<T> start(Callable<T> body) {
        FutureTask<T> task = new FutureTask<>(body);
        Thread thread = new Thread(task, "pool-test-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        return new Started<>(thread, task);
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private record Started<T>(Thread thread, FutureTask<T> result) {
        T get() throws Exception {
            return result.get(5, TimeUnit.SECONDS);
        }
    }

    /** A stand-in for a guest context. */
    static final class FakeContext implements AutoCloseable {
        final int id;
        final AtomicBoolean inUse = new AtomicBoolean();
        volatile boolean closed;

        FakeContext(int id) {
            this.id = id;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return "context-" + id + (closed ? " (closed)" : "");
        }
    }

    /** Creates numbered contexts, or fails with a chosen message until told to succeed. */
    static final class FakeFactory implements Callable<FakeContext> {
        final List<FakeContext> created = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final AtomicInteger attempts = new AtomicInteger();
        private volatile String failure;
        private volatile Error error;

        void failWith(String message) {
            failure = message;
        }

        void failWithError(Error e) {
            error = e;
        }

        void succeed() {
            failure = null;
            error = null;
        }

        @Override
        public FakeContext call() throws Exception {
            attempts.incrementAndGet();
            threads.add(Thread.currentThread());
            if (error != null) {
                throw error;
            }
            if (failure != null) {
                throw new Exception(failure);
            }
            FakeContext context = new FakeContext(created.size() + 1);
            created.add(context);
            return context;
        }
    }

    /** Queues background creations; the test runs them when it chooses. */
    static final class ManualExecutor implements Executor {
        private final List<Runnable> queued = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable task) {
            queued.add(task);
        }

        synchronized int pending() {
            return queued.size();
        }

        /** Runs everything queued so far, in order, in the calling thread. */
        void runAll() {
            List<Runnable> batch;
            synchronized (this) {
                batch = new ArrayList<>(queued);
                queued.clear();
            }
            batch.forEach(Runnable::run);
        }
    }
}

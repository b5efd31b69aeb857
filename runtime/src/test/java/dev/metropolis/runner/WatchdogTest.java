package dev.metropolis.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WatchdogTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    /** The sweep as a pure step: a fake clock, no sweeper thread, timeouts run in the sweeping thread. */
    private final Watchdog swept = new Watchdog(now::get, new CallerRuns(), false);
    /** The sweeper thread on the real clock. */
    private final Watchdog watchdog = new Watchdog(System::nanoTime);

    @AfterEach
    void close() {
        swept.close();
        watchdog.close();
    }

    @Test
    void sweepFiresOnceAtTheDeadlineAndForgetsTheCall() {
        AtomicInteger fired = new AtomicInteger();
        long watched = now.get();
        swept.watch(fired::incrementAndGet, 20 * MS);

        assertThat(swept.sweep(watched + 20 * MS - 1)).isZero();
        assertThat(fired).hasValue(0);
        assertThat(swept.sweep(watched + 20 * MS)).isEqualTo(1);
        assertThat(fired).hasValue(1);
        assertThat(swept.watching()).isZero();
        assertThat(swept.sweep(watched + 1_000 * MS)).isZero();
        assertThat(fired).hasValue(1);
    }

    @Test
    void aCancelledWatchNeverFires() {
        AtomicInteger fired = new AtomicInteger();
        swept.watch(fired::incrementAndGet, 10 * MS).cancel();
        AtomicInteger later = new AtomicInteger();
        swept.watch(later::incrementAndGet, 50 * MS);

        assertThat(swept.sweep(now.get() + 50 * MS)).isEqualTo(1); // the cancelled one would have fired by now
        assertThat(later).hasValue(1);
        assertThat(fired).hasValue(0);
    }

    @Test
    void deadlinesAreOnTheInjectedClock() {
        AtomicInteger fired = new AtomicInteger();
        now.addAndGet(TimeUnit.DAYS.toNanos(365)); // far from System.nanoTime: only the injected clock counts
        swept.watch(fired::incrementAndGet, 5 * MS);

        assertThat(swept.sweep(System.nanoTime())).isZero();
        assertThat(swept.sweep(now.get() + 5 * MS)).isEqualTo(1);
    }

    @Test
    void firesEveryExpiredCallInOneSweepAndKeepsTheOthers() {
        List<String> fired = new ArrayList<>();
        swept.watch(() -> fired.add("a"), 1 * MS);
        swept.watch(() -> fired.add("b"), 2 * MS);
        swept.watch(() -> fired.add("c"), 30 * MS);

        assertThat(swept.sweep(now.get() + 2 * MS)).isEqualTo(2);
        assertThat(fired).containsExactlyInAnyOrder("a", "b");
        assertThat(swept.watching()).isEqualTo(1);
    }

    @Test
    void theSweeperFiresAtTheDeadlineAndForgetsTheCall() throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        long watched = System.nanoTime();
        watchdog.watch(fired::countDown, 20 * MS);

        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - watched).isGreaterThanOrEqualTo(20 * MS);
        assertThat(watchdog.watching()).isZero();
    }

    @Test
    void wakesUpForAWatchAfterSleepingIdle() throws InterruptedException {
        CountDownLatch first = new CountDownLatch(1);
        watchdog.watch(first::countDown, 0);
        assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
        Await.until(Duration.ofSeconds(5), "the sweeper to go to sleep with nothing watched", watchdog::idle);

        CountDownLatch second = new CountDownLatch(1);
        watchdog.watch(second::countDown, MS);
        assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTimeoutThatBlocksDoesNotDelayTheOthers() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        watchdog.watch(() -> await(release), 0); // like cancelling a guest that does not yield
        CountDownLatch other = new CountDownLatch(1);
        watchdog.watch(other::countDown, 10 * MS);

        assertThat(other.await(5, TimeUnit.SECONDS)).isTrue();
        release.countDown();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs each task in the calling thread, so a sweep's timeouts have run when it returns. */
    private static final class CallerRuns extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}

package dev.metropolis.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchdogTest {
    private final Watchdog watchdog = new Watchdog();

    @AfterEach
    void close() {
        watchdog.close();
    }

    @Test
    void firesOnceAtTheDeadlineAndForgetsTheCall() throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        long watched = System.nanoTime();
        watchdog.watch(fired::countDown, TimeUnit.MILLISECONDS.toNanos(20));

        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - watched).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(watchdog.watching()).isZero();
    }

    @Test
    void aCancelledWatchNeverFires() throws InterruptedException {
        AtomicInteger fired = new AtomicInteger();
        watchdog.watch(fired::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(10)).cancel();
        CountDownLatch later = new CountDownLatch(1);
        watchdog.watch(later::countDown, TimeUnit.MILLISECONDS.toNanos(50));

        assertThat(later.await(5, TimeUnit.SECONDS)).isTrue(); // by now the cancelled one would have fired
        assertThat(fired).hasValue(0);
    }

    @Test
    void wakesUpForAWatchAfterSleepingIdle() throws InterruptedException {
        CountDownLatch first = new CountDownLatch(1);
        watchdog.watch(first::countDown, 0);
        assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(50); // nothing watched: the sweeper goes to sleep

        CountDownLatch second = new CountDownLatch(1);
        watchdog.watch(second::countDown, TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTimeoutThatBlocksDoesNotDelayTheOthers() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        watchdog.watch(() -> await(release), 0); // like cancelling a guest that does not yield
        CountDownLatch other = new CountDownLatch(1);
        watchdog.watch(other::countDown, TimeUnit.MILLISECONDS.toNanos(10));

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
}

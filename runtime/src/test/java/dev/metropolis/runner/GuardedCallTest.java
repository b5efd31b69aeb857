package dev.metropolis.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The race between a call finishing and its timeout, with a fake guest. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GuardedCallTest {
    private static final Duration GRACE = Duration.ofSeconds(1);

    /** Records what the timeout did to it; its interrupt does what the test sets. */
    private static final class FakeGuest implements GuardedCall.Guest {
        final AtomicInteger interrupts = new AtomicInteger();
        final AtomicInteger cancels = new AtomicInteger();
        final AtomicReference<Duration> grace = new AtomicReference<>();
        volatile Interrupt onInterrupt = () -> { };

        interface Interrupt {
            void run() throws TimeoutException;
        }

        @Override
        public void interrupt(Duration grace) throws TimeoutException {
            interrupts.incrementAndGet();
            this.grace.set(grace);
            onInterrupt.run();
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    }

    private final FakeGuest guest = new FakeGuest();
    private final GuardedCall call = new GuardedCall("task", guest, GRACE);

    @Test
    void aCallThatFinishesInTimeIsNeitherTimedOutNorCancelled() {
        call.finish();

        assertThat(call.timedOut()).isFalse();
        assertThat(call.cancelled()).isFalse();
    }

    @Test
    void aTimeoutAfterTheCallFinishedDoesNothing() {
        call.finish();

        call.timeOut();

        assertThat(guest.interrupts).hasValue(0);
        assertThat(call.timedOut()).isFalse();
    }

    @Test
    void aTimeoutInterruptsTheGuestWithTheGraceAndKeepsTheContext() {
        call.timeOut();
        call.finish();

        assertThat(guest.interrupts).hasValue(1);
        assertThat(guest.grace).hasValue(GRACE);
        assertThat(guest.cancels).hasValue(0);
        assertThat(call.timedOut()).isTrue();
        assertThat(call.cancelled()).isFalse();
    }

    @Test
    void aSecondTimeoutDoesNotInterruptAgain() {
        call.timeOut();
        call.timeOut();

        assertThat(guest.interrupts).hasValue(1);
    }

    @Test
    void aGuestIgnoringTheInterruptIsCancelled() {
        guest.onInterrupt = () -> {
            throw new TimeoutException("still running");
        };

        call.timeOut();
        call.finish();

        assertThat(guest.cancels).hasValue(1);
        assertThat(call.timedOut()).isTrue();
        assertThat(call.cancelled()).isTrue();
    }

    @Test
    void anInterruptThatFailsCancelsTheGuest() {
        guest.onInterrupt = () -> {
            throw new IllegalStateException("context already closed");
        };

        call.timeOut();
        call.finish();

        assertThat(guest.cancels).hasValue(1);
        assertThat(call.cancelled()).isTrue();
    }

    @Test
    void finishWaitsForAnInterruptInFlight() throws Exception {
        CountDownLatch interrupting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        guest.onInterrupt = () -> {
            interrupting.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread watchdog = Thread.ofPlatform().start(call::timeOut);
        assertThat(interrupting.await(5, TimeUnit.SECONDS)).isTrue();

        Thread worker = Thread.ofPlatform().start(call::finish);
        // The worker must block in finish() until the interrupt is over, else the interrupt could hit its next call.
        Await.until(Duration.ofSeconds(5), "the worker to wait in finish()", () -> worker.getState() == Thread.State.WAITING);
        assertThat(worker.isAlive()).isTrue();

        release.countDown();
        worker.join(5_000);
        watchdog.join(5_000);
        assertThat(worker.isAlive()).isFalse();
        assertThat(call.timedOut()).isTrue();
        assertThat(call.cancelled()).isFalse();
    }
}

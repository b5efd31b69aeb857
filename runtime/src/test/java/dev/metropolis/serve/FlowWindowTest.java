package dev.metropolis.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FlowWindowTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void chunksWithinTheWindowGoAtOnce() throws Exception {
        FlowWindow window = new FlowWindow(3, now::get);
        for (long chunk = 1; chunk <= 3; chunk++) {
            assertThat(window.await(chunk, 0)).isEqualTo(FlowWindow.Clearance.SEND);
        }
    }

    @Test
    void beyondTheWindowItIsFullUntilTheDeadline() throws Exception {
        FlowWindow window = new FlowWindow(2, now::get);
        now.set(100);
        assertThat(window.await(3, 100)).isEqualTo(FlowWindow.Clearance.FULL);
        window.acknowledge(1);
        assertThat(window.await(3, 100)).isEqualTo(FlowWindow.Clearance.SEND);
        assertThat(window.await(4, 100)).isEqualTo(FlowWindow.Clearance.FULL);
    }

    @Test
    void anAcknowledgementWakesAWaitingWorker() throws Exception {
        FlowWindow window = new FlowWindow(1, System::nanoTime);
        CompletableFuture<FlowWindow.Clearance> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return window.await(2, System.nanoTime() + TimeUnit.SECONDS.toNanos(8));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        window.acknowledge(1);
        assertThat(waiting.get(8, TimeUnit.SECONDS)).isEqualTo(FlowWindow.Clearance.SEND);
    }

    @Test
    void olderAcknowledgementsChangeNothingAndCancelWins() throws Exception {
        FlowWindow window = new FlowWindow(1, now::get);
        window.acknowledge(5);
        window.acknowledge(2);
        assertThat(window.acknowledged()).isEqualTo(5);
        window.cancel();
        assertThat(window.cancelled()).isTrue();
        assertThat(window.await(6, 0)).isEqualTo(FlowWindow.Clearance.CANCELLED);
    }

    @Test
    void aWindowIsAtLeastOne() {
        assertThatThrownBy(() -> new FlowWindow(0, now::get)).hasMessage("window must be at least 1, got 0");
    }
}

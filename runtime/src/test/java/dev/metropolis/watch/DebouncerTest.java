package dev.metropolis.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The debounce as a pure step: time is a number the test passes in. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DebouncerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Path A = Path.of("a.js");
    private static final Path B = Path.of("b.py");

    private final Debouncer debouncer = new Debouncer(100 * MS, 2_000 * MS);

    @Test
    void nothingRecordedReleasesNothing() {
        assertThat(debouncer.drain(10_000 * MS)).isEmpty();
    }

    @Test
    void aBatchIsReleasedOnceTheFolderWasQuietLongEnough() {
        debouncer.record(A, 0);

        assertThat(debouncer.drain(99 * MS)).isEmpty();
        assertThat(debouncer.drain(100 * MS)).containsExactly(A);
        assertThat(debouncer.drain(200 * MS)).isEmpty(); // released once
    }

    @Test
    void eachEventRestartsTheQuietPeriodAndABurstBecomesOneBatch() {
        debouncer.record(A, 0);
        debouncer.record(B, 80 * MS);
        debouncer.record(A, 150 * MS);

        assertThat(debouncer.drain(240 * MS)).isEmpty();
        assertThat(debouncer.drain(250 * MS)).containsExactlyInAnyOrder(A, B);
    }

    @Test
    void aFileWrittenContinuouslyIsReleasedAtTheMaximumDelay() {
        for (long t = 0; t < 2_000 * MS; t += 50 * MS) {
            debouncer.record(A, t);
            assertThat(debouncer.drain(t)).isEmpty();
        }

        assertThat(debouncer.drain(2_000 * MS)).containsExactly(A);
    }

    @Test
    void theNextBatchStartsItsOwnClock() {
        debouncer.record(A, 0);
        assertThat(debouncer.drain(100 * MS)).containsExactly(A);

        debouncer.record(B, 5_000 * MS);
        assertThat(debouncer.drain(5_050 * MS)).isEmpty(); // not released by the old batch's first event
        assertThat(debouncer.drain(5_100 * MS)).containsExactly(B);
    }
}

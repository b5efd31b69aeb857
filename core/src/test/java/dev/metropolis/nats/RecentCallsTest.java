package dev.metropolis.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.task.RecentStats;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The window of an endpoint's last seconds, on a clock the test moves. */
class RecentCallsTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;

    private final AtomicLong now = new AtomicLong(5 * SECOND);
    private final Clock wall = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);
    private final RecentCalls calls = new RecentCalls(now::get, wall);

    @Test
    void countsRequestsErrorsAndLatenciesOfTheWindow() {
        calls.record(3 * MS, null, "r1");
        calls.record(40 * MS, "422 qty must be positive", "r2");
        now.addAndGet(SECOND);
        calls.record(700 * MS, null, "r3");

        RecentStats stats = calls.snapshot();

        assertThat(stats.requests()).isEqualTo(3);
        assertThat(stats.errors()).isEqualTo(1);
        assertThat(stats.windowSeconds()).isEqualTo(2); // started a second ago: counted over two slots
        assertThat(stats.latencyCounts().get(RecentStats.bucket(3))).isEqualTo(1);
        assertThat(stats.latencyCounts().get(RecentStats.bucket(40))).isEqualTo(1);
        assertThat(stats.latencyCounts().get(RecentStats.bucket(700))).isEqualTo(1);
        assertThat(stats.lastErrors()).singleElement().satisfies(error -> {
            assertThat(error.requestId()).isEqualTo("r2");
            assertThat(error.error()).isEqualTo("422 qty must be positive");
            assertThat(error.time()).isEqualTo("2026-12-02T10:00:00Z");
        });
    }

    @Test
    void callsOlderThanTheWindowAreForgottenButTheirErrorsStayListed() {
        calls.record(3 * MS, "500 crashed", "old");
        now.addAndGet(RecentCalls.WINDOW_SECONDS * SECOND);
        calls.record(5 * MS, null, "new");

        RecentStats stats = calls.snapshot();

        assertThat(stats.requests()).isEqualTo(1);
        assertThat(stats.errors()).isZero();
        assertThat(stats.windowSeconds()).isEqualTo(RecentCalls.WINDOW_SECONDS);
        assertThat(stats.lastErrors()).extracting(RecentStats.RecentError::requestId).containsExactly("old");
    }

    @Test
    void aSlotReusedAfterAWholeWindowStartsEmpty() {
        calls.record(1 * MS, null, null);
        now.addAndGet(RecentCalls.WINDOW_SECONDS * SECOND); // the same slot, ten seconds on
        assertThat(calls.snapshot().requests()).isZero();
        calls.record(1 * MS, null, null);
        assertThat(calls.snapshot().requests()).isEqualTo(1);
    }

    @Test
    void keepsOnlyTheNewestErrorsNewestFirst() {
        for (int i = 0; i < RecentStats.LAST_ERRORS + 5; i++) {
            calls.record(MS, "400 bad " + i, "r" + i);
        }
        assertThat(calls.snapshot().lastErrors()).hasSize(RecentStats.LAST_ERRORS)
                .first().extracting(RecentStats.RecentError::requestId).isEqualTo("r" + (RecentStats.LAST_ERRORS + 4));
    }
}

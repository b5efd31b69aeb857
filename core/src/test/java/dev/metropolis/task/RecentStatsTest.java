package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.RecentStats.RecentError;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The last seconds of an endpoint: summed over hosts, percentiles from the summed histogram. */
class RecentStatsTest {
    private static RecentStats with(int window, long[] latencies, RecentError... errors) {
        List<Long> counts = new ArrayList<>(RecentStats.none(window).latencyCounts());
        for (long millis : latencies) {
            int bucket = RecentStats.bucket(millis);
            counts.set(bucket, counts.get(bucket) + 1);
        }
        return new RecentStats(window, latencies.length, errors.length, counts, List.of(errors));
    }

    @Test
    void quantilesInterpolateWithinTheirBucket() {
        long[] latencies = new long[100];
        java.util.Arrays.fill(latencies, 0, 99, 4); // 99 in (2.5, 5]
        latencies[99] = 800;                          // one in (500, 1000]
        RecentStats stats = with(10, latencies);

        assertThat(stats.quantileMs(0.5)).isCloseTo(2.5 + 2.5 * 50 / 99, within(0.001));
        assertThat(stats.quantileMs(0.99)).isCloseTo(5.0, within(0.001));
        assertThat(stats.quantileMs(1.0)).isCloseTo(1000.0, within(0.001));
        assertThat(RecentStats.none(10).quantileMs(0.5)).isNull();
    }

    @Test
    void hostsAddUpAndTheNewestErrorsWin() {
        RecentStats a = with(10, new long[] {1, 2}, new RecentError("2026-12-02T10:00:01Z", "a1", "500 boom"));
        RecentStats b = with(4, new long[] {300}, new RecentError("2026-12-02T10:00:05Z", "b1", "422 no"));

        RecentStats sum = a.plus(b);

        assertThat(sum.requests()).isEqualTo(3);
        assertThat(sum.errors()).isEqualTo(2);
        assertThat(sum.windowSeconds()).isEqualTo(10);
        assertThat(sum.lastErrors()).extracting(RecentError::requestId).containsExactly("b1", "a1");
        assertThat(sum.quantileMs(1.0)).isCloseTo(500.0, within(0.001));
    }

    @Test
    void readsWhatItWrites() throws Exception {
        ObjectMapper json = new ObjectMapper();
        RecentStats stats = with(10, new long[] {7}, new RecentError("2026-12-02T10:00:01Z", "x", "504 timed out"));

        String text = json.writeValueAsString(stats);

        assertThat(text).contains("\"window_seconds\":10", "\"latency_counts\":[", "\"request_id\":\"x\"");
        assertThat(json.readValue(text, RecentStats.class)).isEqualTo(stats);
    }

    @Test
    void refusesCountsThatCannotBe() {
        assertThatThrownBy(() -> new RecentStats(10, 1, 2, null, null))
                .hasMessageContaining("1 requests, 2 errors");
        assertThatThrownBy(() -> new RecentStats(10, 0, 0, List.of(1L), null))
                .hasMessageContaining("latency buckets, got 1");
    }
}

package dev.metropolis.gateway;

import dev.metropolis.task.Rate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The token buckets as a pure step: time is a number the test chooses. */
@Timeout(10)
class RateLimiterTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private final RateLimiter limiter = new RateLimiter();
    private final Rate tenPerSecond = Rate.parse("10/s");

    private int allowed(String key, int attempts, long now) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.acquire(key, tenPerSecond, now).allowed()) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void theBurstIsTheCountAndTokensComeBackEvenly() {
        assertThat(allowed("k", 15, 0)).isEqualTo(10);
        assertThat(allowed("k", 5, SECOND / 2)).as("half a second refills half the bucket").isEqualTo(5);
        assertThat(allowed("k", 20, 10 * SECOND)).as("never more than the burst").isEqualTo(10);
    }

    @Test
    void overAWindowTheLimitHolds() {
        int allowed = 0;
        // 100 requests a second for 5 s, in 10 ms steps: 10/s lets 10 (the first burst) + 10 per second through.
        for (long now = 0; now < 5 * SECOND; now += SECOND / 100) {
            allowed += allowed("w", 1, now);
        }
        assertThat(allowed).isBetween(55, 60);
    }

    @Test
    void eachKeyHasItsOwnBucket() {
        assertThat(allowed("alice", 12, 0)).isEqualTo(10);
        assertThat(allowed("bob", 12, 0)).isEqualTo(10);
    }

    @Test
    void aRefusalSaysWhenToRetry() {
        allowed("r", 10, 0);
        RateLimiter.Outcome refused = limiter.acquire("r", tenPerSecond, 0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterNanos()).isEqualTo(SECOND / 10);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(refused.resetSeconds()).isEqualTo(1);
    }

    @Test
    void ratesParseAndRefuseWhatTheyCannotRead() {
        assertThat(Rate.parse("100/s")).isEqualTo(new Rate(100, Duration.ofSeconds(1)));
        assertThat(Rate.parse("20 / m").toString()).isEqualTo("20/m");
        assertThat(Rate.parse("500/h").period()).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> Rate.parse("100 per second")).hasMessageContaining("\"100/s\"");
        assertThatThrownBy(() -> Rate.parse("0/s")).hasMessageContaining("at least 1");
        assertThat(Rate.announced("garbage")).isNull();
    }
}

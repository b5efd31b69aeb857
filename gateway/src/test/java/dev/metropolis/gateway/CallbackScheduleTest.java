package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When a refused callback is POSTed again: on a fake clock, no waiting. */
@Timeout(5)
class CallbackScheduleTest {
    private static final Instant FIRST = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void delaysDoubleFromOneSecondUntilTheLastAttempt() {
        Instant now = FIRST;
        List<Duration> delays = new ArrayList<>();
        for (int made = 1; ; made++) {
            Optional<Instant> next = CallbackSchedule.nextAttempt(made, FIRST, now);
            if (next.isEmpty()) {
                assertThat(made).isEqualTo(CallbackSchedule.MAX_ATTEMPTS);
                break;
            }
            delays.add(Duration.between(now, next.get()));
            now = next.get();
        }
        assertThat(delays).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L);
    }

    @Test
    void noAttemptComesMoreThanAnHourAfterTheFirst() {
        assertThat(CallbackSchedule.nextAttempt(7, FIRST, FIRST)).contains(FIRST.plus(Duration.ofSeconds(64)));
        Instant late = FIRST.plus(Duration.ofMinutes(59));
        assertThat(CallbackSchedule.nextAttempt(7, FIRST, late)).isEmpty();
        assertThat(CallbackSchedule.nextAttempt(6, FIRST, late)).contains(late.plusSeconds(32));
        assertThat(CallbackSchedule.nextAttempt(3, FIRST, FIRST.plus(Duration.ofMinutes(50))))
                .contains(FIRST.plus(Duration.ofMinutes(50)).plusSeconds(4));
    }

    @Test
    void only2xxCountsAsDelivered() {
        assertThat(CallbackSchedule.delivered(200)).isTrue();
        assertThat(CallbackSchedule.delivered(204)).isTrue();
        assertThat(CallbackSchedule.delivered(302)).isFalse();
        assertThat(CallbackSchedule.delivered(404)).isFalse();
        assertThat(CallbackSchedule.delivered(503)).isFalse();
    }
}

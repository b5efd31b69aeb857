package dev.metropolis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.script.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TickScheduleTest {
    private static TickSchedule every(String seconds) {
        return new TickSchedule(new Trigger.Schedule("", Duration.ofSeconds(Long.parseLong(seconds)), Trigger.Schedule.DEFAULT_ZONE,
                Trigger.Retry.DEFAULT));
    }

    private static TickSchedule cron(String cron, String zone) {
        return new TickSchedule(new Trigger.Schedule(cron, null, ZoneId.of(zone), Trigger.Retry.DEFAULT));
    }

    @Test
    void everyTicksOnMultiplesOfItsIntervalSinceTheEpochSoAllHostsAgree() {
        TickSchedule schedule = every("30");
        assertThat(schedule.nextAfter(Instant.parse("2025-03-01T10:00:07.250Z"))).isEqualTo(Instant.parse("2025-03-01T10:00:30Z"));
        assertThat(schedule.nextAfter(Instant.parse("2025-03-01T10:00:30Z"))).isEqualTo(Instant.parse("2025-03-01T10:01:00Z"));
        assertThat(schedule.nextAfter(Instant.parse("2025-03-01T10:00:29.999Z"))).isEqualTo(Instant.parse("2025-03-01T10:00:30Z"));
    }

    @Test
    void cronIsReadInItsTimeZone() {
        assertThat(cron("*/5 * * * *", "UTC").nextAfter(Instant.parse("2025-03-01T10:03:00Z")))
                .isEqualTo(Instant.parse("2025-03-01T10:05:00Z"));
        // 09:00 in Paris is 08:00 UTC in winter.
        assertThat(cron("0 9 * * *", "Europe/Paris").nextAfter(Instant.parse("2025-03-01T10:00:00Z")))
                .isEqualTo(Instant.parse("2025-03-02T08:00:00Z"));
    }

    @Test
    void aTickIdDependsOnlyOnTheTaskAndTheTickTime() {
        Instant tick = Instant.parse("2025-03-01T10:00:30Z");
        assertThat(Ticker.messageId("report", tick)).isEqualTo(Ticker.messageId("report", Instant.parse("2025-03-01T10:00:30Z")))
                .isNotEqualTo(Ticker.messageId("report", tick.plusSeconds(30)))
                .isNotEqualTo(Ticker.messageId("other", tick));
    }
}

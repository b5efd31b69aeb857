package dev.metropolis.stream;

import com.cronutils.model.time.ExecutionTime;
import dev.metropolis.script.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * The times a schedule ticks: a pure function of the schedule and a time, so every host computes
 * the same ticks and tests need no clock. {@code every} counts from the Unix epoch (every 30 s
 * ticks at :00 and :30); a cron expression is read in the schedule's time zone.
 */
public final class TickSchedule {
    private final Duration every;
    private final ExecutionTime cron;
    private final Trigger.Schedule schedule;

    public TickSchedule(Trigger.Schedule schedule) {
        this.schedule = schedule;
        this.every = schedule.every();
        this.cron = every == null ? ExecutionTime.forCron(schedule.parsedCron()) : null;
    }

    /** The first tick strictly after {@code time}. */
    public Instant nextAfter(Instant time) {
        if (every != null) {
            long period = every.toMillis();
            long next = Math.floorDiv(time.toEpochMilli(), period) * period + period;
            return Instant.ofEpochMilli(next);
        }
        ZonedDateTime local = time.atZone(schedule.zone());
        return cron.nextExecution(local)
                .orElseThrow(() -> new IllegalStateException("schedule '" + schedule.cron() + "' has no time after " + local))
                .toInstant();
    }
}

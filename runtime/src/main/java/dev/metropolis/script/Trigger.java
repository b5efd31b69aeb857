package dev.metropolis.script;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import dev.metropolis.task.Durations;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** What makes a task run: a request on its subjects (the default), a message in a JetStream stream, or a schedule. */
public sealed interface Trigger permits Trigger.Request, Trigger.Stream, Trigger.Schedule {

    /** The trigger in one line, as discovery and {@code GET /tasks} show it. */
    String describe();

    /** Answers requests on the header's subjects. */
    record Request() implements Trigger {
        public static final Request INSTANCE = new Request();

        @Override
        public String describe() {
            return "request";
        }
    }

    /**
     * What happens to a message whose handling failed.
     *
     * @param maxDeliver most deliveries of one message, the first included
     * @param backoff    delay before each redelivery after a failure; the last one repeats; empty: at once
     * @param deadLetter where a message goes after its last failed delivery (or a permanent failure), or empty
     */
    record Retry(int maxDeliver, List<Duration> backoff, String deadLetter) {
        public static final int DEFAULT_MAX_DELIVER = 5;
        public static final Retry DEFAULT = new Retry(DEFAULT_MAX_DELIVER, List.of(Duration.ofSeconds(1)), "");

        public Retry {
            if (maxDeliver < 1 || maxDeliver > 1000) {
                throw new IllegalArgumentException("max_deliver must be between 1 and 1000, got " + maxDeliver);
            }
            backoff = List.copyOf(backoff);
            for (Duration delay : backoff) {
                if (delay.isNegative() || delay.compareTo(Duration.ofHours(24)) > 0) {
                    throw new IllegalArgumentException("backoff delays must be between 0 and 24h, got " + Durations.format(delay));
                }
            }
            if (!deadLetter.isEmpty()) {
                if (deadLetter.contains("*") || deadLetter.contains(">")) {
                    throw new IllegalArgumentException("dead_letter '" + deadLetter + "' must be a plain subject, without wildcards");
                }
                ScriptHeader.checkSubject(deadLetter);
            }
        }

        /** The delay before the redelivery that follows failed delivery {@code delivered} (1-based). */
        public Duration delayAfter(long delivered) {
            if (backoff.isEmpty()) {
                return Duration.ZERO;
            }
            return backoff.get((int) Math.min(delivered - 1, backoff.size() - 1));
        }
    }

    /**
     * Consumes the header's subjects from a JetStream stream through a durable pull consumer shared by all hosts.
     *
     * @param stream  the stream's name
     * @param durable the consumer's name, or empty for the task's name
     */
    record Stream(String stream, String durable, Retry retry) implements Trigger {
        // JetStream names: no whitespace, '.', '*', '>', path separators.
        private static final Pattern NAME = Pattern.compile("[^\\s.*>/\\\\]+");

        public Stream {
            if (!NAME.matcher(stream).matches()) {
                throw new IllegalArgumentException("stream '" + stream + "' is not a valid JetStream stream name"
                        + " (no whitespace, '.', '*', '>', '/' or '\\')");
            }
            if (!durable.isEmpty() && !NAME.matcher(durable).matches()) {
                throw new IllegalArgumentException("durable '" + durable + "' is not a valid JetStream consumer name"
                        + " (no whitespace, '.', '*', '>', '/' or '\\')");
            }
            Objects.requireNonNull(retry, "retry");
        }

        @Override
        public String describe() {
            return "stream " + stream + (durable.isEmpty() ? "" : " durable " + durable) + " max_deliver " + retry.maxDeliver()
                    + (retry.deadLetter().isEmpty() ? "" : " dead_letter " + retry.deadLetter());
        }
    }

    /**
     * Runs the task at the times of a 5-field cron expression in {@code zone}, or every {@code every}
     * (counted from the Unix epoch, so all hosts agree on the times), once across all hosts.
     *
     * @param cron  the cron expression, or empty when {@code every} is set
     * @param every the interval, or null when {@code cron} is set
     */
    record Schedule(String cron, Duration every, ZoneId zone, Retry retry) implements Trigger {
        private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        public static final ZoneId DEFAULT_ZONE = ZoneId.of("UTC");

        public Schedule {
            Objects.requireNonNull(zone, "zone");
            Objects.requireNonNull(retry, "retry");
            if (cron.isEmpty() == (every == null)) {
                throw new IllegalArgumentException("a schedule is either 'schedule' (cron) or 'every', not both");
            }
            if (every != null && every.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("every must be at least 1s, got " + Durations.format(every));
            }
            if (!cron.isEmpty()) {
                parseCron(cron);
            }
        }

        /** The parsed expression (5 fields: minute hour day-of-month month day-of-week). */
        public Cron parsedCron() {
            return parseCron(cron);
        }

        private static Cron parseCron(String cron) {
            if (cron.trim().split("\\s+").length != 5) {
                throw new IllegalArgumentException("schedule '" + cron + "' must have 5 fields: minute hour day-of-month"
                        + " month day-of-week, e.g. \"*/5 * * * *\"");
            }
            try {
                return UNIX.parse(cron).validate();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schedule '" + cron + "' is not a valid cron expression: " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return every != null ? "schedule every " + Durations.format(every) : "schedule " + cron + " " + zone.getId();
        }
    }
}

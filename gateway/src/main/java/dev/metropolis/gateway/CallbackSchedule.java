package dev.metropolis.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a job's callback is POSTed again after a failed attempt (no answer, or a status other than
 * 2xx): 1 s, 2 s, 4 s, ... doubling (never more than 5 minutes), for at most {@link #MAX_ATTEMPTS} attempts
 * within {@link #GIVE_UP_AFTER} of the first. A pure step: time is a parameter.
 */
final class CallbackSchedule {
    static final int MAX_ATTEMPTS = 8;
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration LONGEST_DELAY = Duration.ofMinutes(5);
    static final Duration GIVE_UP_AFTER = Duration.ofHours(1);

    private CallbackSchedule() {}

    /**
     * When to try next, or empty to give up.
     *
     * @param attemptsMade attempts so far, all failed (1 after the first)
     * @param firstAttempt when the first attempt was made
     * @param now          the time now
     */
    static Optional<Instant> nextAttempt(int attemptsMade, Instant firstAttempt, Instant now) {
        if (attemptsMade >= MAX_ATTEMPTS) {
            return Optional.empty();
        }
        Duration delay = FIRST_DELAY.multipliedBy(1L << Math.min(attemptsMade - 1, 20));
        if (delay.compareTo(LONGEST_DELAY) > 0) {
            delay = LONGEST_DELAY;
        }
        Instant next = now.plus(delay);
        return next.isAfter(firstAttempt.plus(GIVE_UP_AFTER)) ? Optional.empty() : Optional.of(next);
    }

    /** Whether a callback answered with {@code status} was received. */
    static boolean delivered(int status) {
        return status >= 200 && status < 300;
    }
}

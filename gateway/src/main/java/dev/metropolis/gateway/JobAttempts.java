package dev.metropolis.gateway;

import dev.metropolis.task.ErrorKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether a job attempt's outcome ends the job or is tried again, and after what delay: a pure step.
 * A reply the task gave (success, or a 4xx refusal) ends it; no reply, a busy host, or a 5xx is
 * tried again, up to {@link #MAX_ATTEMPTS} attempts, the last outcome then being the job's.
 */
final class JobAttempts {
    static final int MAX_ATTEMPTS = 5;
    /** Delay before attempts 2, 3, 4, 5. */
    static final List<Duration> DELAYS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMinutes(2));

    private JobAttempts() {}

    /** The delay before trying again, or empty when the job is finished with this outcome. */
    static Optional<Duration> retryAfter(int status, int attempt) {
        boolean transientFailure = ErrorKind.isServerError(status) || status == ErrorKind.BUSY.defaultCode();
        if (!transientFailure || attempt >= MAX_ATTEMPTS) {
            return Optional.empty();
        }
        return Optional.of(DELAYS.get(Math.min(attempt, DELAYS.size()) - 1));
    }
}

package dev.metropolis.serve;

import dev.metropolis.runner.TaskRunner;

/** How a served script gets its messages: request/reply ({@link TaskService}) or a JetStream consumer. */
public interface Binding {
    /** The runner of the version serving now. */
    TaskRunner runner();

    /** Hands new messages to {@code next} (a new version of the same script); returns the previous runner to close. */
    TaskRunner swap(TaskRunner next);

    /**
     * Stops for good: with {@code drain}, messages already taken are handled and settled (up to the
     * drain timeout); then the runner closes.
     */
    void retire(boolean drain);
}

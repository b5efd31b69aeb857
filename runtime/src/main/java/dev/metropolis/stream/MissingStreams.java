package dev.metropolis.stream;

import java.util.Locale;

/** What a host does when a task names a stream that does not exist: {@code --missing-streams}. */
public enum MissingStreams {
    /**
     * Creates it: file storage, one replica, work-queue retention (a message is removed once acked)
     * over the task's subject; and a stream {@code <STREAM>_DEAD} for its dead letters.
     */
    CREATE,
    /** Refuses to serve the task (a load error) until an operator creates the streams. */
    REFUSE;

    public static MissingStreams parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--missing-streams must be 'create' or 'refuse', got '" + value + "'", e);
        }
    }
}

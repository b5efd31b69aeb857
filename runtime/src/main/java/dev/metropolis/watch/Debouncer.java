package dev.metropolis.watch;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Collects file events until the folder has been quiet for a moment, so an editor's save burst
 * (temp file, write, rename, chmod) becomes one change. A pure step: time is passed in.
 */
final class Debouncer {
    private final long quietNanos;
    private final long maxDelayNanos;
    private final Set<Path> pending = new LinkedHashSet<>();
    private long firstEvent;
    private long lastEvent;

    /**
     * @param quietNanos    how long no event must arrive before the batch is released
     * @param maxDelayNanos release anyway this long after the first event (a file written continuously)
     */
    Debouncer(long quietNanos, long maxDelayNanos) {
        this.quietNanos = quietNanos;
        this.maxDelayNanos = maxDelayNanos;
    }

    void record(Path file, long now) {
        if (pending.isEmpty()) {
            firstEvent = now;
        }
        pending.add(file);
        lastEvent = now;
    }

    /** The files changed in the finished batch, or an empty set while events are still arriving. */
    Set<Path> drain(long now) {
        if (pending.isEmpty() || (now - lastEvent < quietNanos && now - firstEvent < maxDelayNanos)) {
            return Set.of();
        }
        Set<Path> batch = Set.copyOf(pending);
        pending.clear();
        return batch;
    }
}

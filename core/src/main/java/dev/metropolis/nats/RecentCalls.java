package dev.metropolis.nats;

import dev.metropolis.task.RecentStats;
import dev.metropolis.task.RecentStats.RecentError;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * An endpoint's calls over the last {@link #WINDOW_SECONDS} seconds, in one-second slots that are
 * reused as time moves on, and its last errors: what {@link MicroService} reports as the
 * {@code data} of an endpoint in {@code $SRV.STATS}. Time is given, so tests need no waiting.
 */
public final class RecentCalls {
    /** How far back the counts reach: long enough to be steady, short enough to be live. */
    public static final int WINDOW_SECONDS = 10;
    private static final long SECOND = 1_000_000_000L;

    private final LongSupplier nanoTime;
    private final Clock clock;
    private final long[] slotSecond = new long[WINDOW_SECONDS];
    private final long[] slotRequests = new long[WINDOW_SECONDS];
    private final long[] slotErrors = new long[WINDOW_SECONDS];
    private final long[][] slotLatency = new long[WINDOW_SECONDS][RecentStats.LATENCY_BOUNDS_MS.size() + 1];
    private final Deque<RecentError> lastErrors = new ArrayDeque<>();
    private final long started;

    /**
     * @param nanoTime the monotonic clock calls are counted on
     * @param clock    the wall clock errors are stamped with
     */
    public RecentCalls(LongSupplier nanoTime, Clock clock) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.started = nanoTime.getAsLong();
        java.util.Arrays.fill(slotSecond, Long.MIN_VALUE);
    }

    /** Counts one answered call; {@code error} is null for a success, {@code requestId} may be null. */
    public synchronized void record(long nanos, String error, String requestId) {
        int slot = slot(second(nanoTime.getAsLong()));
        slotRequests[slot]++;
        slotLatency[slot][RecentStats.bucket(nanos / 1_000_000.0)]++;
        if (error != null) {
            slotErrors[slot]++;
            lastErrors.addFirst(new RecentError(clock.instant().toString(), requestId, error));
            if (lastErrors.size() > RecentStats.LAST_ERRORS) {
                lastErrors.removeLast();
            }
        }
    }

    /** The window as of now: the slots of the last seconds, the current one included. */
    public synchronized RecentStats snapshot() {
        long now = second(nanoTime.getAsLong());
        long requests = 0;
        long errors = 0;
        long[] latency = new long[RecentStats.LATENCY_BOUNDS_MS.size() + 1];
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (slotSecond[i] > now - WINDOW_SECONDS) {
                requests += slotRequests[i];
                errors += slotErrors[i];
                for (int b = 0; b < latency.length; b++) {
                    latency[b] += slotLatency[i][b];
                }
            }
        }
        List<Long> counts = new ArrayList<>();
        for (long count : latency) {
            counts.add(count);
        }
        // A service younger than the window has counted only since it started.
        int covered = (int) Math.min(WINDOW_SECONDS, Math.max(1, now + 1));
        return new RecentStats(covered, requests, errors, counts, List.copyOf(lastErrors));
    }

    /** Seconds since this window started. */
    private long second(long nanos) {
        return (nanos - started) / SECOND;
    }

    /** The slot of {@code second}, emptied first when it still holds an older second. */
    private int slot(long second) {
        int slot = (int) (second % WINDOW_SECONDS);
        if (slotSecond[slot] != second) {
            slotSecond[slot] = second;
            slotRequests[slot] = 0;
            slotErrors[slot] = 0;
            java.util.Arrays.fill(slotLatency[slot], 0);
        }
        return slot;
    }
}

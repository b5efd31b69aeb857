package dev.metropolis.task;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What one endpoint did in the last few seconds, as a host publishes it in its {@code $SRV.STATS}
 * endpoint {@code data} and the gateway's console reads it back: counts and a latency histogram,
 * which (unlike percentiles) add up over hosts, and the last errors with their request ids.
 *
 * @param windowSeconds  how many seconds the counts cover
 * @param requests       requests answered in the window
 * @param errors         of those, answered with an error
 * @param latencyCounts  answers per latency bucket: one per bound of {@link #LATENCY_BOUNDS_MS}, then one above the last
 * @param lastErrors     the most recent errors, newest first, at most {@link #LAST_ERRORS}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecentStats(@JsonProperty("window_seconds") int windowSeconds, @JsonProperty("requests") long requests,
        @JsonProperty("errors") long errors, @JsonProperty("latency_counts") List<Long> latencyCounts,
        @JsonProperty("last_errors") List<RecentError> lastErrors) {

    /** Upper bounds of the latency buckets, in milliseconds: from an echo's fraction of a millisecond to a slow task. */
    public static final List<Double> LATENCY_BOUNDS_MS =
            List.of(0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0);
    /** How many recent errors an endpoint keeps. */
    public static final int LAST_ERRORS = 10;

    /** One error reply: when, to which request, and what it said ("422 qty must be positive"). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecentError(@JsonProperty("time") String time, @JsonProperty("request_id") String requestId,
            @JsonProperty("error") String error) {}

    public RecentStats {
        if (windowSeconds < 0 || requests < 0 || errors < 0 || errors > requests) {
            throw new IllegalArgumentException("counts out of range: window " + windowSeconds + " s, " + requests
                    + " requests, " + errors + " errors");
        }
        latencyCounts = latencyCounts == null ? empty() : List.copyOf(latencyCounts);
        if (latencyCounts.size() != LATENCY_BOUNDS_MS.size() + 1) {
            throw new IllegalArgumentException("expected " + (LATENCY_BOUNDS_MS.size() + 1) + " latency buckets, got "
                    + latencyCounts.size());
        }
        lastErrors = lastErrors == null ? List.of() : List.copyOf(lastErrors);
    }

    /** Nothing recorded over a window of {@code windowSeconds}. */
    public static RecentStats none(int windowSeconds) {
        return new RecentStats(windowSeconds, 0, 0, empty(), List.of());
    }

    /** The bucket a latency falls in: the first bound it does not exceed, or the last bucket. */
    public static int bucket(double millis) {
        for (int i = 0; i < LATENCY_BOUNDS_MS.size(); i++) {
            if (millis <= LATENCY_BOUNDS_MS.get(i)) {
                return i;
            }
        }
        return LATENCY_BOUNDS_MS.size();
    }

    /** The sum of two endpoints' (or hosts') windows; the longer window, the newest errors of both. */
    public RecentStats plus(RecentStats other) {
        Objects.requireNonNull(other, "other");
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < latencyCounts.size(); i++) {
            counts.add(latencyCounts.get(i) + other.latencyCounts.get(i));
        }
        List<RecentError> errorsOfBoth = new ArrayList<>(lastErrors);
        errorsOfBoth.addAll(other.lastErrors);
        errorsOfBoth.sort(Comparator.comparing(RecentError::time, Comparator.nullsLast(Comparator.reverseOrder())));
        return new RecentStats(Math.max(windowSeconds, other.windowSeconds), requests + other.requests,
                errors + other.errors, counts, errorsOfBoth.stream().limit(LAST_ERRORS).toList());
    }

    /**
     * The latency below which a fraction {@code q} of the answers fell, interpolated within its
     * bucket; null when nothing was answered. Above the last bound it says the last bound.
     */
    public Double quantileMs(double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("a quantile is between 0 and 1, got " + q);
        }
        long total = latencyCounts.stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return null;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < latencyCounts.size(); i++) {
            long inBucket = latencyCounts.get(i);
            if (inBucket > 0 && seen + inBucket >= rank) {
                if (i == LATENCY_BOUNDS_MS.size()) {
                    return LATENCY_BOUNDS_MS.getLast();
                }
                double lower = i == 0 ? 0 : LATENCY_BOUNDS_MS.get(i - 1);
                double upper = LATENCY_BOUNDS_MS.get(i);
                return lower + (upper - lower) * (rank - seen) / inBucket;
            }
            seen += inBucket;
        }
        return LATENCY_BOUNDS_MS.getLast();
    }

    private static List<Long> empty() {
        List<Long> zeros = new ArrayList<>();
        for (int i = 0; i <= LATENCY_BOUNDS_MS.size(); i++) {
            zeros.add(0L);
        }
        return zeros;
    }
}

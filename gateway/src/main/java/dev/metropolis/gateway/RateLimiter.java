package dev.metropolis.gateway;

import dev.metropolis.task.Rate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets, one per route and caller: a bucket holds {@link Rate#count()} tokens (the burst),
 * a request takes one, and tokens come back evenly over the period ({@code 100/s}: one every 10 ms).
 * Time is a parameter, so the counting is tested without a clock. Each gateway replica counts on
 * its own: with N replicas behind a balancer a caller gets up to N times the rate.
 */
final class RateLimiter {
    /** Beyond this many buckets, full ones (callers idle for a whole period) are dropped. */
    private static final int PRUNE_ABOVE = 10_000;

    /** What a request was told: allowed or not, tokens left, and nanoseconds until the next token. */
    record Outcome(boolean allowed, int limit, int remaining, long retryAfterNanos, long resetNanos) {
        /** Seconds until a refused request may succeed, at least 1 (Retry-After counts whole seconds). */
        long retryAfterSeconds() {
            return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
        }

        /** Seconds until the bucket is full again (RateLimit-Reset). */
        long resetSeconds() {
            return (resetNanos + 999_999_999L) / 1_000_000_000L;
        }
    }

    private static final class Bucket {
        private double tokens;
        private long updated;

        Bucket(int tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes a token from {@code key}'s bucket at time {@code now} (nanoseconds, any origin). */
    Outcome acquire(String key, Rate rate, long now) {
        if (buckets.size() > PRUNE_ABOVE) {
            prune(rate, now);
        }
        Bucket bucket = buckets.computeIfAbsent(key, ignored -> new Bucket(rate.count(), now));
        synchronized (bucket) {
            long perToken = rate.nanosPerToken();
            bucket.tokens = Math.min(rate.count(), bucket.tokens + (double) (now - bucket.updated) / perToken);
            bucket.updated = now;
            boolean allowed = bucket.tokens >= 1;
            if (allowed) {
                bucket.tokens -= 1;
            }
            long untilNext = allowed ? 0 : (long) ((1 - bucket.tokens) * perToken);
            long untilFull = (long) ((rate.count() - bucket.tokens) * perToken);
            return new Outcome(allowed, rate.count(), (int) Math.floor(bucket.tokens), untilNext, untilFull);
        }
    }

    private void prune(Rate rate, long now) {
        buckets.entrySet().removeIf(entry -> now - entry.getValue().updated > rate.period().toNanos());
    }
}

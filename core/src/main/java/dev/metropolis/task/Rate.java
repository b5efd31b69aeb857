package dev.metropolis.task;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate limit, "100/s": at most {@code count} requests per {@code period}, as a token bucket
 * that holds {@code count} tokens (the burst) and refills evenly over the period.
 */
public record Rate(int count, Duration period) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*/\\s*(s|m|h|sec|min|hour|second|minute)");

    public Rate {
        if (count < 1) {
            throw new IllegalArgumentException("a rate allows at least 1 request, got " + count);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a rate's period is positive, got " + period);
        }
    }

    /** Reads "100/s", "20/m" or "500/h"; throws naming the expected form. */
    public static Rate parse(String value) {
        Matcher matcher = FORM.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a rate like \"100/s\", \"20/m\" or \"500/h\"");
        }
        Duration period = switch (matcher.group(2).charAt(0)) {
            case 's' -> Duration.ofSeconds(1);
            case 'm' -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        return new Rate(Integer.parseInt(matcher.group(1)), period);
    }

    /** A rate as announced in discovery: null when absent or unreadable (the gateway's own limit applies). */
    public static Rate announced(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Nanoseconds for one token to come back. */
    public long nanosPerToken() {
        return Math.max(1, period.toNanos() / count);
    }

    @Override
    public String toString() {
        long seconds = period.toSeconds();
        return count + "/" + (seconds == 1 ? "s" : seconds == 60 ? "m" : "h");
    }
}

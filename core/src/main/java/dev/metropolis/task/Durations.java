package dev.metropolis.task;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Human durations as written in headers and flags: "250ms", "5s", "1.5s", "2m", "1h". */
public final class Durations {
    /** A decimal amount and a unit; a sign is matched only so that "-5s" is told it must be positive. */
    private static final Pattern FORM = Pattern.compile("([-+]?\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern SECONDS = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Map<String, BigDecimal> NANOS_PER_UNIT = Map.of(
            "ms", BigDecimal.valueOf(1_000_000L),
            "s", BigDecimal.valueOf(1_000_000_000L),
            "m", BigDecimal.valueOf(60_000_000_000L),
            "h", BigDecimal.valueOf(3_600_000_000_000L));

    private Durations() {}

    /**
     * Parses a positive duration such as "5s" or "250ms".
     *
     * @throws IllegalArgumentException naming the accepted forms when the text is not one
     */
    public static Duration parse(String text) {
        return parse(text, "\"" + text + "\"");
    }

    /**
     * A duration, or a plain number of seconds ("2", "1.5"), as HTTP's {@code Request-Timeout} is
     * written.
     *
     * @throws IllegalArgumentException naming the accepted forms when the text is neither
     */
    public static Duration parseOrSeconds(String text) {
        String trimmed = text.trim();
        return SECONDS.matcher(trimmed).matches()
                ? ofSeconds(new BigDecimal(trimmed), "\"" + text + "\"")
                : parse(trimmed, "\"" + text + "\"");
    }

    /** As {@link #parse(String)}, quoting the value in messages as {@code shown}. */
    public static Duration parse(String text, String shown) {
        Matcher matcher = FORM.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a duration such as \"5s\" or \"250ms\", got " + shown
                    + " (units: ms, s, m, h)");
        }
        return of(new BigDecimal(matcher.group(1)), matcher.group(2), shown);
    }

    /** A positive number of seconds, possibly fractional, as a duration. */
    public static Duration ofSeconds(BigDecimal seconds, String shown) {
        return of(seconds, "s", shown);
    }

    private static Duration of(BigDecimal amount, String unit, String shown) {
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("expected a duration longer than zero, got " + shown);
        }
        try {
            // Rounded up so a tiny positive duration never becomes zero.
            return Duration.ofNanos(amount.multiply(NANOS_PER_UNIT.get(unit)).setScale(0, RoundingMode.UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("expected a duration of at most a few hundred years, got " + shown);
        }
    }

    /** The shortest exact form: "5s", "250ms", "2m", "1.5ms". */
    public static String format(Duration duration) {
        if (duration.toNanos() % 1_000_000 != 0) {
            return BigDecimal.valueOf(duration.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
        }
        long millis = duration.toMillis();
        if (millis > 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis > 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}

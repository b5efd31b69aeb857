package dev.metropolis.command;

import dev.metropolis.command.CommandLine.Option;
import java.util.Locale;
import java.util.logging.Level;

/** The logging options. */
public final class LogOptions {
    public static final Option LEVEL = new Option("--log-level", "METROPOLIS_LOG_LEVEL", "LEVEL", "info",
            "error, warn, info, debug or trace");

    public static final Option FORMAT = new Option("--log-format", "METROPOLIS_LOG_FORMAT", "FORMAT", "text",
            "text (one readable line per event) or json (one JSON object per line)");

    public static final java.util.List<Option> OPTIONS = java.util.List.of(LEVEL, FORMAT);

    private LogOptions() {}

    public static Level level(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException("log level '" + name + "' is not one of error, warn, info, debug, trace");
        };
    }
}

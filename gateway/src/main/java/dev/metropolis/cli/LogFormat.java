package dev.metropolis.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One readable line per log event: time, level, source (a task's name for what scripts print), message. */
final class LogFormat extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /** Replaces the JDK's two-line default console logging with this format at the given level. */
    static void install(Level level) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new LogFormat());
        console.setLevel(level);
        root.addHandler(console);
        root.setLevel(level);
    }

    @Override
    public String format(LogRecord log) {
        StringBuilder line = new StringBuilder(128)
                .append(TIME.format(Instant.ofEpochMilli(log.getMillis())))
                .append(' ')
                .append(String.format("%-7s", log.getLevel().getName()))
                .append(' ')
                .append(source(log.getLoggerName()))
                .append(": ")
                .append(formatMessage(log))
                .append(System.lineSeparator());
        if (log.getThrown() != null) {
            StringWriter trace = new StringWriter();
            log.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    /** "dev.metropolis.host.Host" -> "Host"; "task.reverse" (a script's output) -> "task reverse". */
    private static String source(String logger) {
        if (logger == null) {
            return "-";
        }
        if (logger.startsWith("task.")) {
            return "task " + logger.substring(5);
        }
        return logger.substring(logger.lastIndexOf('.') + 1);
    }
}

package dev.metropolis.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.metropolis.logging.LogContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** One line per log event, as readable text (development) or JSON (containers, log shippers). */
public final class Logging {

    /** The output formats. */
    public enum Format {
        TEXT, JSON;

        public static Format of(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException("log format '" + name + "' is not one of text, json");
            };
        }
    }

    private Logging() {}

    /** Replaces the JDK's default two-line console logging with one line per event on {@code out}. */
    public static void install(Level level, Format format, PrintStream out) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        Handler handler = new LineHandler(out, format == Format.JSON ? new JsonLines() : new TextLines());
        handler.setLevel(level);
        root.addHandler(handler);
        root.setLevel(level);
    }

    /** A stream handler that flushes every line, so logs are never held back in a buffer. */
    private static final class LineHandler extends StreamHandler {
        LineHandler(OutputStream out, Formatter formatter) {
            super(out, formatter);
        }

        @Override
        public synchronized void publish(LogRecord log) {
            super.publish(log);
            flush();
        }
    }

    /** "21:29:20.047 INFO    Gateway: gateway listening on ..."; what scripts print shows as "task NAME". */
    private static final class TextLines extends Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord log) {
            StringBuilder line = new StringBuilder(128)
                    .append(TIME.format(Instant.ofEpochMilli(log.getMillis())))
                    .append(' ')
                    .append(String.format("%-7s", log.getLevel().getName()))
                    .append(' ')
                    .append(task(log) != null ? "task " + task(log) : simpleName(log.getLoggerName()))
                    .append(": ")
                    .append(formatMessage(log))
                    .append(System.lineSeparator());
            if (log.getThrown() != null) {
                line.append(stackTrace(log.getThrown()));
            }
            return line.toString();
        }
    }

    /**
     * {"ts":"2026-11-27T21:29:20.047Z","level":"INFO","logger":"...","message":"...","thread":"...",
     * "task":"reverse","subject":"text.reverse","request_id":"...","trace_id":"..."}; the last four
     * when the line is about a message.
     */
    private static final class JsonLines extends Formatter {
        private final JsonFactory json = new JsonFactory();

        @Override
        public String format(LogRecord log) {
            StringWriter line = new StringWriter(256);
            try (JsonGenerator out = json.createGenerator(line)) {
                out.writeStartObject();
                out.writeStringField("ts", Instant.ofEpochMilli(log.getMillis()).toString());
                out.writeStringField("level", log.getLevel().getName());
                out.writeStringField("logger", log.getLoggerName());
                out.writeStringField("message", formatMessage(log));
                out.writeStringField("thread", Thread.currentThread().getName());
                LogContext context = LogContext.current();
                String task = task(log) != null ? task(log) : context == null ? null : context.task();
                writeIfPresent(out, "task", task);
                if (context != null) {
                    writeIfPresent(out, "subject", context.subject());
                    writeIfPresent(out, "request_id", context.requestId());
                    writeIfPresent(out, "trace_id", context.traceId());
                }
                if (log.getThrown() != null) {
                    out.writeStringField("error", stackTrace(log.getThrown()));
                }
                out.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return line.append(System.lineSeparator()).toString();
        }
    }

    private static void writeIfPresent(JsonGenerator out, String field, String value) throws IOException {
        if (value != null) {
            out.writeStringField(field, value);
        }
    }

    /** What a script prints is logged under "task.NAME". */
    private static String task(LogRecord log) {
        String logger = log.getLoggerName();
        return logger != null && logger.startsWith("task.") ? logger.substring("task.".length()) : null;
    }

    private static String simpleName(String logger) {
        return logger == null ? "-" : logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static String stackTrace(Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}

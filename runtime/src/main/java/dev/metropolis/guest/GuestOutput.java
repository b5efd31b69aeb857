package dev.metropolis.guest;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/** What a script prints (print, console.log), logged line by line under the task's name. */
final class GuestOutput extends OutputStream {
    /** Longest line kept; a script printing megabytes without newlines must not exhaust the heap. */
    private static final int MAX_LINE = 16 * 1024;

    private final Logger logger;
    private final Level level;
    private final GuestSecrets secrets;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    GuestOutput(String task, Level level, GuestSecrets secrets) {
        this.logger = Logger.getLogger("task." + task);
        this.level = level;
        this.secrets = secrets;
    }

    static OutputStream discard() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            flushLine();
        } else if (line.size() < MAX_LINE) {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            write(bytes[i]);
        }
    }

    /** Interpreters flush mid-line (Python's print writes text, then the newline): only a newline ends a line. */
    @Override
    public void flush() {
        // lines are logged when complete
    }

    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            flushLine();
        }
    }

    private void flushLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        logger.log(level, secrets.redact(text));
    }
}

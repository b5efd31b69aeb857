package dev.metropolis.guest;

import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Sends Truffle's own log records (compiler warnings, engine notes) into our logging. */
final class GuestLogHandler extends Handler {
    private static final Logger LOG = Logger.getLogger("dev.metropolis.guest.truffle");

    @Override
    public void publish(LogRecord logRecord) {
        LOG.log(logRecord.getLevel(), "[" + logRecord.getLoggerName() + "] " + logRecord.getMessage(), logRecord.getParameters());
    }

    @Override
    public void flush() {
        // records are forwarded as they come
    }

    @Override
    public void close() {
        // nothing held
    }
}

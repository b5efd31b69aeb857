package dev.metropolis.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A spare context's {@code out} or {@code err}, fixed when the context is built: nothing until a
 * script claims the context, then that script's {@link GuestOutput} (its logger, its redaction).
 */
final class PluggableOutput extends OutputStream {
    private volatile OutputStream target = OutputStream.nullOutputStream();

    void plug(OutputStream output) {
        this.target = Objects.requireNonNull(output, "output");
    }

    @Override
    public void write(int b) throws IOException {
        target.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        target.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        target.flush();
    }

    @Override
    public void close() throws IOException {
        target.close();
    }
}

package dev.metropolis.gateway;

import io.helidon.common.buffers.DataReader;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Recognises the failures of a connection the client closed: a body that ends early, a reset, a closed socket. */
final class ClientGone {
    private ClientGone() {}

    /** Whether {@code failure} (or a cause of it) means the client went away. */
    static boolean is(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataReader.InsufficientDataAvailableException
                    || cause instanceof UncheckedIOException
                    || cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}

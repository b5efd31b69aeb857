package dev.metropolis.nats;

import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;

/**
 * The server's "no responders" answer (status 503): the request reached no subscriber. jnats
 * reports it, with {@code reportNoResponders()}, as a status message or as the failure of a
 * request's future; both are recognised here.
 */
public final class NoResponders {
    private static final int STATUS = 503;

    private NoResponders() {}

    /** Whether a message is the server's no-responders status. */
    public static boolean is(Message message) {
        return message.isStatusMessage() && message.getStatus().getCode() == STATUS;
    }

    /** Whether a failed request's cause (from its future's {@code ExecutionException}) is no responders. */
    public static boolean is(Throwable cause) {
        return cause instanceof JetStreamStatusException status && status.getStatus().getCode() == STATUS;
    }
}

package dev.metropolis.guest;

import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * One warm context with a script loaded: a message goes in, a {@link TaskReply} or a
 * {@link TaskError} comes out. Not thread-safe: the pool leases it to one thread at a time.
 */
public final class GuestContext implements AutoCloseable {
    // Result kinds produced by the adapters (metropolis.py, metropolis.js).
    private static final int EMPTY = 0;
    private static final int TEXT = 1;
    private static final int BYTES = 2;
    private static final int JSON = 3;
    private static final int FAILED = 4;
    private static final int CRASHED = 5;
    private static final int BAD_PAYLOAD = 6;

    private final TaskScript script;
    private final GuestLanguage language;
    private final Context context;
    private final Value dispatch;
    private final OutputStream out;
    private final OutputStream err;

    GuestContext(TaskScript script, GuestLanguage language, Context context, Value dispatch,
            OutputStream out, OutputStream err) {
        this.script = script;
        this.language = language;
        this.context = context;
        this.dispatch = dispatch;
        this.out = out;
        this.err = err;
    }

    /**
     * Calls the task with one message.
     *
     * @throws TaskError when the task rejects the message or crashes
     * @throws PolyglotException when the call was interrupted or cancelled (the caller knows why)
     */
    public TaskReply invoke(TaskRequest request, Payload payload) {
        Value[] settled = new Value[1];
        ProxyExecutable done = args -> {
            settled[0] = args[0];
            return null;
        };
        Value result = dispatch.execute(payload.kind().ordinal(), payload.text(),
                language.rawArgument(request.data(), payload), request.subject(), request.replyTo(),
                flatHeaders(request.headers()), done);
        if (result.isNull()) {
            // Only a JS Promise comes back as null; its jobs have run by now, so it has settled or never will.
            if (settled[0] == null) {
                throw TaskError.of(ErrorKind.CRASHED, "the task returned a Promise that never settled;"
                        + " await everything before returning (timers and I/O are not available)");
            }
            result = settled[0];
        }
        return decode(result);
    }

    private static TaskReply decode(Value result) {
        int kind = result.getArrayElement(0).asInt();
        Value value = result.getArrayElement(1);
        return switch (kind) {
            case EMPTY -> TaskReply.empty();
            case TEXT -> TaskReply.text(value.asString());
            case JSON -> TaskReply.json(value.asString());
            case BYTES -> TaskReply.bytes(readBytes(value));
            case FAILED -> throw TaskError.rejected(result.getArrayElement(2).asInt(), value.asString());
            case CRASHED -> throw TaskError.of(ErrorKind.CRASHED, value.asString());
            case BAD_PAYLOAD -> throw TaskError.of(ErrorKind.BAD_PAYLOAD, value.asString());
            default -> throw new IllegalStateException("unknown result kind from the adapter: " + kind);
        };
    }

    private static byte[] readBytes(Value buffer) {
        long size = buffer.getBufferSize();
        if (size > Integer.MAX_VALUE - 8) {
            throw TaskError.of(ErrorKind.CRASHED, "the task returned " + size + " bytes, more than a reply can hold");
        }
        byte[] bytes = new byte[(int) size];
        buffer.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    private static ProxyArray flatHeaders(Map<String, List<String>> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        List<Object> flat = new ArrayList<>(headers.size() * 2);
        headers.forEach((name, values) -> {
            flat.add(name);
            flat.add(String.join(", ", values));
        });
        return ProxyArray.fromList(flat);
    }

    /** Stops a running call; the context stays usable. Throws when the guest did not stop within {@code grace}. */
    public void interrupt(Duration grace) throws TimeoutException {
        context.interrupt(grace);
    }

    /** Cancels whatever runs and closes the context for good (for a guest that ignored an interrupt). */
    public void cancel() {
        context.close(true);
    }

    public TaskScript script() {
        return script;
    }

    /** The engine this context runs on: its language's shared one, or its own (see {@link GuestContexts}). */
    Engine engine() {
        return context.getEngine();
    }

    @Override
    public void close() {
        try {
            context.close(true);
        } finally {
            closeStream(out);
            closeStream(err);
        }
    }

    private static void closeStream(OutputStream stream) {
        try {
            stream.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

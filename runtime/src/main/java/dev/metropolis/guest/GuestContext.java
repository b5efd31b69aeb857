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
    private final TaskScript script;
    private final GuestLanguage language;
    private final Context context;
    private final Value dispatch;
    private final OutputStream out;
    private final OutputStream err;
    private final CallScope scope;
    private final GuestSecrets secrets;

    GuestContext(TaskScript script, GuestLanguage language, Context context, Value dispatch,
            OutputStream out, OutputStream err, CallScope scope, GuestSecrets secrets) {
        this.scope = scope;
        this.secrets = secrets;
        this.script = script;
        this.language = language;
        this.context = context;
        this.dispatch = dispatch;
        this.out = out;
        this.err = err;
    }

    /**
     * Calls the task with one message, which must be answered within {@code remaining} (the
     * deadline the task's own calls are held to).
     *
     * @throws TaskError when the task rejects the message or crashes
     * @throws PolyglotException when the call was interrupted or cancelled (the caller knows why)
     */
    public TaskReply invoke(TaskRequest request, Payload payload, Duration remaining) {
        Outcome outcome = start(request, payload, remaining);
        if (outcome instanceof GuestStream stream) {
            stream.close(remaining);
            throw TaskError.of(ErrorKind.CRASHED, "task '" + script.name() + "' streams its reply (it returned a"
                    + " generator), which only a request/reply task can");
        }
        return ((Outcome.Reply) outcome).reply();
    }

    /** What a call started: its whole reply, or the stream of chunks a generator task yields, taken one by one. */
    public sealed interface Outcome permits Outcome.Reply, GuestStream {
        /** A task that answered once. */
        record Reply(TaskReply reply) implements Outcome {}
    }

    /**
     * Calls the task with one message, like {@link #invoke}, but a generator's chunks are left to
     * take with the returned {@link GuestStream}, inside the same lease.
     */
    public Outcome start(TaskRequest request, Payload payload, Duration remaining) {
        Value result = guarded(request, remaining, done -> dispatch.execute(payload.kind().ordinal(), payload.text(),
                language.rawArgument(request.data(), payload), request.subject(), request.replyTo(),
                flatHeaders(request.headers()), done), "returned a Promise");
        if (result.getArrayElement(0).asInt() == GuestResults.STREAM) {
            return new GuestStream(this, request, result.getArrayElement(1));
        }
        return new Outcome.Reply(decoded(result));
    }

    /** Whether the task function is a generator (announced so callers read its reply as chunks). */
    public boolean streams() {
        return dispatch.hasMember("streaming") && dispatch.getMember("streaming").asBoolean();
    }

    /**
     * Runs one step of guest code for {@code request} under its deadline, and settles what it
     * returned: a JS Promise is answered through the {@code done} callback the step is given.
     */
    Value guarded(TaskRequest request, Duration remaining, java.util.function.Function<ProxyExecutable, Value> step,
            String what) {
        scope.enter(request, remaining);
        try {
            Value[] settled = new Value[1];
            ProxyExecutable done = args -> {
                settled[0] = args[0];
                return null;
            };
            Value result = step.apply(done);
            if (result.isNull()) {
                // Only a JS Promise comes back as null; its jobs have run by now, so it has settled or never will.
                if (settled[0] == null) {
                    throw redacted(TaskError.of(ErrorKind.CRASHED, "the task " + what + " that never settled;"
                            + " await everything before returning (timers and I/O are not available)"));
                }
                result = settled[0];
            }
            return result;
        } finally {
            scope.exit();
        }
    }

    /** An encoded result as a reply; the task's error with its secrets redacted. */
    TaskReply decoded(Value result) {
        try {
            return GuestResults.reply(result);
        } catch (TaskError error) {
            throw redacted(error);
        }
    }

    private TaskError redacted(TaskError error) {
        String message = secrets.redact(error.getMessage());
        return message.equals(error.getMessage()) ? error : TaskError.withMessage(error, message);
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

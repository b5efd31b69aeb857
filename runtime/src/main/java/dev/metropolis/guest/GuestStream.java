package dev.metropolis.guest;

import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import java.time.Duration;
import org.graalvm.polyglot.Value;

/**
 * The chunks of a generator task, taken one step at a time on the thread that holds the context's
 * lease (the handle never leaves it). Each step runs guest code: the caller watches it like a call.
 */
public final class GuestStream implements GuestContext.Outcome {
    private final GuestContext context;
    private final TaskRequest request;
    private final Value handle;
    private boolean done;

    GuestStream(GuestContext context, TaskRequest request, Value handle) {
        this.context = context;
        this.request = request;
        this.handle = handle;
    }

    /**
     * Runs the generator to its next yield within {@code remaining}: the chunk, encoded like a
     * return value, or null when the generator is done.
     *
     * @throws dev.metropolis.task.TaskError when the generator raised
     * @throws org.graalvm.polyglot.PolyglotException when the step was interrupted or cancelled
     */
    public TaskReply next(Duration remaining) {
        if (done) {
            return null;
        }
        Value step = context.guarded(request, remaining, settle -> handle.invokeMember("next", settle), "yielded a Promise");
        if (step.getArrayElement(0).asInt() == GuestResults.END) {
            done = true;
            return null;
        }
        try {
            return context.decoded(step);
        } catch (RuntimeException e) {
            done = true; // a generator that raised is finished
            throw e;
        }
    }

    /**
     * Closes a generator that has not finished (Python raises {@code GeneratorExit} at its yield,
     * JS runs {@code return()}), so its {@code finally} blocks run.
     *
     * @throws dev.metropolis.task.TaskError when the generator raised while closing
     */
    public void close(Duration remaining) {
        if (done) {
            return;
        }
        done = true;
        Value step = context.guarded(request, remaining, settle -> handle.invokeMember("close", settle), "closed with a Promise");
        if (step.getArrayElement(0).asInt() != GuestResults.END) {
            context.decoded(step);
        }
    }

    /** Whether the generator has finished (its last step ended, raised, or it was closed). */
    public boolean done() {
        return done;
    }
}

package dev.metropolis.runner;

import dev.metropolis.guest.GuestStream;
import dev.metropolis.task.Durations;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes a generator's chunks and hands them to a {@link ChunkSink}, inside the lease of the context
 * that runs it. Each step of the generator is watched like a call: the first chunk must come within
 * the message's timeout, each further one within the timeout of the one before, and the whole stream
 * within its {@code stream_timeout}. A stream that stops early (the caller cancelled, a chunk could
 * not be sent) closes its generator, so its {@code finally} blocks run.
 */
final class StreamPump {
    private static final Logger LOG = Logger.getLogger(StreamPump.class.getName());

    /** Runs one watched step of guest code until a deadline; a timeout becomes the error {@code limit} gives. */
    interface Stepper {
        <T> T step(long deadline, Limit limit, java.util.function.Function<Duration, T> work);
    }

    /** Which limit a step ran under, for the error when it is reached. */
    record Limit(String what, Duration length, String key) {
        TaskError error(String task, String subject) {
            return TaskError.of(ErrorKind.TIMED_OUT, "task '" + task + "' " + what + " within " + Durations.format(length)
                    + " on subject '" + subject + "' and was interrupted; make it faster or raise '" + key
                    + "' in its header");
        }
    }

    private final String task;
    private final String subject;
    private final Stepper stepper;
    private final LongSupplier nanoTime;

    StreamPump(String task, String subject, Stepper stepper, LongSupplier nanoTime) {
        this.task = task;
        this.subject = subject;
        this.stepper = stepper;
        this.nanoTime = nanoTime;
    }

    /**
     * Pumps every chunk of {@code stream} into {@code sink}.
     *
     * @param firstDeadline when the first chunk is due (the message's own deadline)
     * @param timeout       the longest gap between two chunks
     * @param streamEnd     when the whole stream must have ended
     */
    void pump(GuestStream stream, ChunkSink sink, long firstDeadline, Duration timeout, long streamEnd,
            Duration streamTimeout) {
        sink.begin();
        Limit whole = new Limit("did not finish its stream", streamTimeout, "stream_timeout");
        long due = firstDeadline;
        Limit gap = new Limit("did not yield its first chunk", timeout, "timeout");
        for (long sent = 0; ; sent++) {
            if (sink.cancelled()) {
                close(stream, timeout);
                return;
            }
            boolean streamFirst = streamEnd - due < 0;
            TaskReply chunk = stepper.step(streamFirst ? streamEnd : due, streamFirst ? whole : gap, stream::next);
            if (chunk == null) {
                return;
            }
            boolean wanted;
            try {
                wanted = sink.send(chunk, streamEnd);
            } catch (TaskError e) {
                close(stream, timeout);
                throw e;
            }
            if (!wanted) {
                close(stream, timeout);
                return;
            }
            due = nanoTime.getAsLong() + timeout.toNanos();
            gap = new Limit("yielded no chunk after chunk " + (sent + 1), timeout, "timeout");
        }
    }

    /** Closes a generator that has not finished; what it raises while closing is logged, the stream is over anyway. */
    private void close(GuestStream stream, Duration timeout) {
        if (stream.done()) {
            return;
        }
        Limit closing = new Limit("did not finish closing its generator", timeout, "timeout");
        try {
            stepper.step(nanoTime.getAsLong() + timeout.toNanos(), closing, remaining -> {
                stream.close(remaining);
                return null;
            });
        } catch (TaskError e) {
            LOG.log(Level.WARNING, "task ''{0}'' on ''{1}'': closing its generator failed: {2}",
                    new Object[] {task, subject, e.getMessage()});
        }
    }
}

package dev.metropolis.runner;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;

/** Where a streaming call's chunks go, one at a time, as the worker takes them from the generator. */
public interface ChunkSink {
    /** The call's task function returned a generator: its answer is a stream (possibly of no chunks). */
    void begin();

    /**
     * Sends one chunk, first waiting while the caller's window is full, at most until
     * {@code deadline} (on the runner's clock).
     *
     * @return false when the caller cancelled the stream or is gone: no more chunks are wanted
     * @throws TaskError when the chunk cannot be sent, or the window stayed full until the deadline
     */
    boolean send(TaskReply chunk, long deadline);

    /** Whether the caller cancelled the stream (it is looked at between chunks). */
    boolean cancelled();

    /** For bindings that cannot stream (stream and schedule tasks): a generator is refused with a clear error. */
    ChunkSink REFUSED = new ChunkSink() {
        @Override
        public void begin() {
            throw TaskError.of(ErrorKind.CRASHED, "the task function is a generator, but only a task that answers"
                    + " requests can stream its reply; return a value instead");
        }

        @Override
        public boolean send(TaskReply chunk, long deadline) {
            throw new IllegalStateException("refused before any chunk");
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };
}

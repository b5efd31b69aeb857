package dev.metropolis.guest;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import org.graalvm.polyglot.Value;

/**
 * What the adapters encode as {@code [kind, value, code]} (a task's result, or a body a task sends),
 * decoded into a reply or the task's error. The kinds are mirrored in metropolis.py and metropolis.js.
 */
final class GuestResults {
    static final int EMPTY = 0;
    static final int TEXT = 1;
    static final int BYTES = 2;
    static final int JSON = 3;
    static final int FAILED = 4;
    static final int CRASHED = 5;
    static final int BAD_PAYLOAD = 6;
    /** A generator task's answer: the value is the adapter's stream handle (see {@link GuestStream}). */
    static final int STREAM = 7;
    /** A stream's step when the generator is done. */
    static final int END = 8;
    /**
     * A failure answered in the task's own wire form: {@code [kind, reply JSON, code, message]}
     * (worker.py's {@code {"code": 500, "data": ...}} envelope when a worker function raises).
     */
    static final int ANSWERED_FAILURE = 9;

    private GuestResults() {}

    /**
     * The reply an encoded result stands for.
     *
     * @throws TaskError when it stands for the task's refusal or crash
     */
    static TaskReply reply(Value result) {
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
            case ANSWERED_FAILURE -> throw TaskError.rejected(result.getArrayElement(2).asInt(),
                    result.getArrayElement(3).asString()).answeredWith(TaskReply.json(value.asString()));
            case STREAM -> throw TaskError.of(ErrorKind.CRASHED, "a generator cannot be a chunk of a stream;"
                    + " yield its values instead (yield from / yield*)");
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
}

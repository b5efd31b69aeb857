package dev.metropolis.runner;

import dev.metropolis.task.Durations;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskRequest;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.graalvm.polyglot.PolyglotException;

/** How one task's calls that failed below its adapter, ran out of memory or ran out of time are told to their callers. */
final class CallFailures {
    /** A Java exception's class name at the start of a message, as Truffle reports what the sandbox refused. */
    private static final Pattern JAVA_CLASS_PREFIX = Pattern.compile("^(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ");

    private final String task;
    private final Duration taskTimeout;

    CallFailures(String task, Duration taskTimeout) {
        this.task = task;
        this.taskTimeout = taskTimeout;
    }

    /**
     * Maps an exception that escaped the guest adapter; runs {@code evict} unless the context is known
     * to be sound. {@code timedOut} words the error of a call the watchdog interrupted.
     */
    TaskError escaped(PolyglotException e, GuardedCall guard, TaskRequest request, Supplier<TaskError> timedOut,
            Runnable evict) {
        if (guard.exhausted() > 0 && e.isCancelled()) {
            return outOfMemory(request, guard.exhausted());
        }
        if (guard.timedOut() && (e.isInterrupted() || e.isCancelled())) {
            return timedOut.get();
        }
        if (e.isInterrupted() || (e.isCancelled() && guard.stopped())) {
            return TaskError.of(ErrorKind.UNAVAILABLE, "task '" + task + "' was stopped while running; retry");
        }
        // GraalPy turns the heap running out into a MemoryError, which the adapter lets through.
        boolean memory = e.isResourceExhausted() || e.getMessage() != null
                && (e.getMessage().contains("OutOfMemoryError") || e.isGuestException() && e.getMessage().startsWith("MemoryError"));
        if (!e.isGuestException() || e.isExit() || e.isCancelled() || memory) {
            evict.run(); // what filled the heap may be held by the context's globals
        }
        if (memory) {
            return outOfMemory(request);
        }
        if (e.isExit()) {
            return TaskError.of(ErrorKind.CRASHED, "the task exited its interpreter");
        }
        if (!e.isGuestException() || e.getMessage() != null && JAVA_CLASS_PREFIX.matcher(e.getMessage()).find()) {
            // Refused below the language (sockets, threads...): the message is Truffle's, prefixed with a Java class name.
            return TaskError.of(ErrorKind.CRASHED, "task '" + task + "' did something its sandbox does not allow ("
                    + withoutJavaClassName(e.getMessage()) + "); scripts get no sockets, threads, processes or native code");
        }
        return TaskError.of(ErrorKind.CRASHED, e.getMessage());
    }

    /** "java.lang.IllegalStateException: Creating threads is not allowed." -> "Creating threads is not allowed." */
    static String withoutJavaClassName(String message) {
        return message == null ? "no reason given" : JAVA_CLASS_PREFIX.matcher(message).replaceFirst("");
    }

    TaskError outOfMemory(TaskRequest request) {
        return outOfMemory(request, 0);
    }

    /** {@code stoppedAfter}: the bytes the call had allocated when the memory guard stopped it, 0 when it did not. */
    private TaskError outOfMemory(TaskRequest request, long stoppedAfter) {
        String heap = (Runtime.getRuntime().maxMemory() >> 20) + " MiB, shared by every task";
        String how = stoppedAfter > 0
                ? ": it was stopped after allocating " + (stoppedAfter >> 20) + " MiB while the host's heap (" + heap
                        + ") was nearly full"
                : " (the host's heap is " + heap + ")";
        return TaskError.of(ErrorKind.CRASHED, "task '" + task + "' ran out of memory on subject '" + request.subject()
                + "'" + how + "; use less memory per message, or give the host more with --max-heap");
    }

    /** A call that did not finish within {@code timeout} (the task's own, or the caller's shorter one) and {@code what}. */
    TaskError timedOut(TaskRequest request, Duration timeout, String what) {
        String limit = timeout.equals(taskTimeout)
                ? "its timeout of " + Durations.format(timeout)
                : "the caller's timeout of " + Durations.format(timeout);
        return TaskError.of(ErrorKind.TIMED_OUT, "task '" + task + "' did not finish within " + limit
                + " on subject '" + request.subject() + "' and " + what + "; make it faster or raise 'timeout' in its header");
    }
}

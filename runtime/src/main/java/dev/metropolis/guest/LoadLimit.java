package dev.metropolis.guest;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

/**
 * The load timeout: how long a script's module-level code may run while its context is created.
 * Code still running then (a {@code while True:} at top level, a slow import) is interrupted, or
 * its context cancelled, and the script becomes a load error naming its file and the limit, so
 * one script can never keep a creator thread, and the scripts behind it, waiting.
 */
final class LoadLimit {
    private static final Logger LOG = Logger.getLogger(LoadLimit.class.getName());
    /**
     * The default of {@code --load-timeout}. Generous: a stuck script holds one of the creator
     * threads (two at least) this long, but an import that takes 0.5 s on a quiet machine took over
     * 5 s on 2 cores at a load average of 14-19, where the earlier 5 s default failed examples.
     */
    static final Duration DEFAULT = Duration.ofSeconds(30);
    /** How long interrupted module code gets to stop before its context is cancelled. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int FIRED = 2;

    private final Duration timeout;
    /** Where a timeout fires: a thread of its own each time, as they are rare and may block for the grace. */
    private final Executor firing = task -> Thread.ofPlatform().daemon(true).name("load-timeout").start(task);

    LoadLimit(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the load timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
    }

    /**
     * Runs {@code load} (module-level code of {@code script}, in {@code context}) under the timeout.
     *
     * @throws ScriptProblem when the timeout fired
     */
    <T> T run(Context context, TaskScript script, Supplier<T> load)
            throws ScriptProblem {
        AtomicInteger state = new AtomicInteger(RUNNING);
        Executor delayed = CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS, firing);
        delayed.execute(() -> {
            if (state.compareAndSet(RUNNING, FIRED)) {
                stop(context, script);
            }
        });
        try {
            T loaded = load.get();
            if (state.compareAndSet(RUNNING, DONE)) {
                return loaded;
            }
            throw timedOut(script); // finished just as the timeout fired: the context is being stopped
        } catch (PolyglotException e) {
            if (state.compareAndSet(RUNNING, DONE)) {
                throw e;
            }
            // An interrupted guest's exception carries no guest frames (GraalVM's polyglot API has no way
            // to read another thread's guest stack), so the line reached stays unknown.
            throw timedOut(script);
        }
    }

    private void stop(Context context, TaskScript script) {
        try {
            context.interrupt(GRACE);
        } catch (TimeoutException | RuntimeException e) {
            LOG.log(Level.FINE, "{0}: module code ignored an interrupt ({1}); cancelling its context",
                    new Object[] {script.file().getFileName(), e.toString()});
            context.close(true);
        }
    }

    private ScriptProblem timedOut(TaskScript script) {
        return new ScriptProblem(script.file(), 0, "loading did not finish within the load timeout of "
                + Durations.format(timeout) + ": its module-level code was still running and was stopped (module-level code must not loop or block; do slow setup"
                + " lazily in the task function, or raise --load-timeout)");
    }
}

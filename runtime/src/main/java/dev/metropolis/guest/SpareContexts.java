package dev.metropolis.guest;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

/**
 * One context of a language made ahead of need: its interpreter initialised, the adapter evaluated
 * and the standard modules the folder's scripts import imported, so that the next script (a new
 * file, a reloaded version, a pool growing) only runs its own module code. A GraalPy context takes
 * a few hundred milliseconds to reach that point on a warm engine, and imports run again in every
 * context; a JavaScript context takes milliseconds, so only Python keeps a spare. Made on a thread
 * of its own, one at a time, once the host is ready and again whenever the spare is taken (or asked
 * for after a failed attempt); never while the host starts.
 */
final class SpareContexts implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SpareContexts.class.getName());

    /** A made context and the plugs that become the claiming script's output and file system. */
    record Spare(Context context, Value adapter, PluggableOutput out, PluggableOutput err, PluggableFileSystem files) {}

    private final Supplier<Spare> maker;
    private final AtomicReference<Spare> ready = new AtomicReference<>();
    private final AtomicBoolean making = new AtomicBoolean();
    private final AtomicInteger taken = new AtomicInteger();
    private final ExecutorService thread;
    private volatile boolean open;

    SpareContexts(String language, Supplier<Spare> maker) {
        this.maker = maker;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon(true).name("spare-context-" + language)
                .priority(Thread.MIN_PRIORITY).factory());
    }

    /** Starts keeping a spare ready. */
    void start() {
        open = true;
        refill();
    }

    /** The ready spare, which is then the caller's; null when none is ready. Either way the next is made. */
    Spare take() {
        Spare spare = ready.getAndSet(null);
        if (spare != null) {
            taken.incrementAndGet();
        }
        refill(); // after a taken spare, or a failed attempt to make one
        return spare;
    }

    /** Whether a spare is ready to be taken. */
    boolean isReady() {
        return ready.get() != null;
    }

    /** How many spares scripts have taken so far. */
    int taken() {
        return taken.get();
    }

    private void refill() {
        if (!open || ready.get() != null || !making.compareAndSet(false, true)) {
            return;
        }
        thread.execute(() -> {
            boolean made = false;
            try {
                Spare spare = maker.get();
                if (!open || !ready.compareAndSet(null, spare)) {
                    spare.context().close(true);
                }
                made = true;
            } catch (RuntimeException e) {
                // A spare is only a head start: the next script creates its context the usual way.
                LOG.log(open ? Level.WARNING : Level.FINE, "could not make a spare context: {0}", e.toString());
            } finally {
                making.set(false);
            }
            if (made) {
                refill(); // in case it was taken before this one could start the next
            }
        });
    }

    @Override
    public void close() {
        open = false;
        thread.shutdownNow();
        Spare spare = ready.getAndSet(null);
        if (spare != null) {
            spare.context().close(true);
        }
    }
}

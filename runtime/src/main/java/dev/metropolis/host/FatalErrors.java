package dev.metropolis.host;

import java.util.List;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the host does when one of its own threads dies of an error the JVM cannot recover from
 * (out of memory, stack overflow, an internal error): it exits with {@link #EXIT_CODE}, so its
 * supervisor (systemd, Kubernetes, the container runtime) starts a clean one, instead of running
 * on without the thread and answering nothing. A task that exhausts the heap does not come here:
 * its runner catches the error and fails that call only.
 */
public final class FatalErrors {
    private static final Logger LOG = Logger.getLogger(FatalErrors.class.getName());
    /** The exit status after a fatal error (EX_SOFTWARE). */
    public static final int EXIT_CODE = 70;

    private FatalErrors() {}

    /** Installs the policy for every thread without a handler of its own; {@code exit} ends the process. */
    public static void install(IntConsumer exit) {
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> handle(thread, error, exit));
    }

    /**
     * Threads of pools that start a new thread for the next piece of work (a task's workers, the
     * context creators, the interrupters) or that run one piece of work each. A memory bomb in one
     * task can make any thread's allocation fail while the heap is full; one of these dying loses
     * only what it was doing (already answered or retried), so the host serves on. A thread that
     * nothing replaces (the watchdog's sweeper, the NATS connection's, a stream's puller) exits the host.
     */
    private static final List<String> REPLACED = List.of("task-interrupter-", "context-creator-", "script-retirer-",
            "stream-settler-", "load-timeout");

    static void handle(Thread thread, Throwable error, IntConsumer exit) {
        if (error instanceof OutOfMemoryError && isReplaced(thread.getName())) {
            LOG.log(Level.WARNING, "the host''s thread ''{0}'' died of {1} while a task filled the heap; its pool starts"
                    + " another and the host serves on", new Object[] {thread.getName(), error});
            return;
        }
        if (error instanceof VirtualMachineError) {
            LOG.log(Level.SEVERE, "the host''s thread ''{0}'' died of {1}; exiting with status {2} so that its supervisor"
                    + " restarts it (give it more memory with --max-heap if this repeats)",
                    new Object[] {thread.getName(), error, String.valueOf(EXIT_CODE)});
            exit.accept(EXIT_CODE);
            return;
        }
        LOG.log(Level.SEVERE, "the host's thread '" + thread.getName() + "' died of an unexpected error", error);
    }

    /** A task's worker ("task-NAME-3", not the watchdog's "task-watchdog") or one of {@link #REPLACED}. */
    static boolean isReplaced(String name) {
        return REPLACED.stream().anyMatch(name::startsWith)
                || name.startsWith("task-") && !name.equals("task-watchdog") && name.lastIndexOf('-') > "task-".length();
    }
}

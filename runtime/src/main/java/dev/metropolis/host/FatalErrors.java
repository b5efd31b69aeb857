package dev.metropolis.host;

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

    static void handle(Thread thread, Throwable error, IntConsumer exit) {
        if (error instanceof VirtualMachineError) {
            LOG.log(Level.SEVERE, "the host''s thread ''{0}'' died of {1}; exiting with status {2} so that its supervisor"
                    + " restarts it (give it more memory with --max-heap if this repeats)",
                    new Object[] {thread.getName(), error, String.valueOf(EXIT_CODE)});
            exit.accept(EXIT_CODE);
            return;
        }
        LOG.log(Level.SEVERE, "the host's thread '" + thread.getName() + "' died of an unexpected error", error);
    }
}

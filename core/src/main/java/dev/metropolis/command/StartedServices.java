package dev.metropolis.command;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a command started, stopped last-started-first: on a failed start, or on SIGINT/SIGTERM
 * (the gateway finishes its requests, the host drains its messages, then engines, tracing and a
 * NATS child stop).
 */
public final class StartedServices {
    private static final Logger LOG = Logger.getLogger(StartedServices.class.getName());

    private final Deque<AutoCloseable> running = new ArrayDeque<>();

    /** Adds a started service; returns it. */
    public <T extends AutoCloseable> T add(T service) {
        running.push(service);
        return service;
    }

    /** Closes everything, last started first; false when something failed to close (it is logged). */
    public synchronized boolean stopAll() {
        boolean clean = true;
        while (!running.isEmpty()) {
            AutoCloseable resource = running.pop();
            try {
                resource.close();
            } catch (Exception e) {
                clean = false;
                LOG.log(Level.WARNING, "error while stopping " + resource.getClass().getSimpleName(), e);
            }
        }
        return clean;
    }

    /**
     * Blocks until SIGINT/SIGTERM, then stops everything. A stop that went cleanly exits 0 rather
     * than the JVM's 128 + signal (143 for SIGTERM): a SIGTERM is how an orchestrator or a
     * scale-in asks a process to stop, and it is a success (1 if something failed to stop).
     */
    public int awaitShutdown() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            LOG.info("stopping: finishing in-flight work");
            boolean clean = stopAll();
            LOG.info("stopped");
            stopped.countDown();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(clean ? 0 : 1); // the JVM's own exit status would be 128 + signal
        }));
        stopped.await();
        return 0;
    }
}

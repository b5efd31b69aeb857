package dev.metropolis.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that each send one request at a time, in a loop, until stopped, counting requests and
 * failures: at any instant at most {@code clients} requests are in flight.
 */
public final class Load {
    /** One request; throws when it failed (no reply, an error reply, a wrong body). */
    @FunctionalInterface
    public interface Call {
        void send(String body) throws Exception;
    }

    private static final int FAILURES_KEPT = 5;

    private final String name;
    private final int clients;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> firstFailures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    private Load(String name, int clients) {
        this.name = name;
        this.clients = clients;
    }

    /** Starts {@code clients} platform threads calling {@code call} with a distinct body each time. */
    public static Load start(String name, int clients, Call call) {
        Load load = new Load(name, clients);
        for (int client = 0; client < clients; client++) {
            String prefix = name + "-" + client + "-";
            load.threads.add(Thread.ofPlatform().name(prefix + "load").start(() -> load.run(prefix, call)));
        }
        return load;
    }

    private void run(String prefix, Call call) {
        while (running.get()) {
            long n = sent.incrementAndGet();
            try {
                call.send(prefix + n);
            } catch (Exception | AssertionError e) {
                failed.incrementAndGet();
                if (firstFailures.size() < FAILURES_KEPT) {
                    firstFailures.add(String.valueOf(e));
                }
            }
        }
    }

    /** Stops sending and waits for the requests in flight to end. */
    public Load stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        return this;
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    public int clients() {
        return clients;
    }

    /** "name: N requests, F failed" and the first failures, for messages and logs. */
    public String summary() {
        return name + ": " + sent.get() + " requests from " + clients + " clients, " + failed.get() + " failed"
                + (firstFailures.isEmpty() ? "" : "; first failures: " + firstFailures);
    }
}

package dev.metropolis.bench;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Request/reply load on one subject: {@code --inflight 1} sends the next request when the reply
 * arrives (sequential); {@code --inflight N} keeps N requests outstanding. After a warm-up, each of
 * {@code --repeats} windows yields requests/s and the p50/p99/mean latency of the replies in it.
 */
final class NatsLoad {
    private final Connection nc;
    private final String subject;
    private final Headers headers;
    private final byte[] body;
    private final byte[] expected;
    private final Duration timeout;
    private final AtomicReference<Window> current = new AtomicReference<>();
    private final AtomicLong mismatchesReported = new AtomicLong();
    private volatile boolean stopped;

    private NatsLoad(Connection nc, Args args) {
        this.nc = nc;
        this.subject = args.get("subject");
        String contentType = args.get("content-type", "");
        Headers extra = new Headers();
        if (!contentType.isEmpty()) {
            extra.put("Content-Type", contentType);
        }
        for (String header : args.all("header")) { // Name=value, e.g. the headers the gateway adds
            String[] nameValue = header.split("=", 2);
            extra.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
        }
        this.headers = extra.isEmpty() ? null : extra;
        this.body = args.get("payload", "").getBytes(StandardCharsets.UTF_8);
        String expect = args.get("expect", "");
        this.expected = expect.isEmpty() ? null : expect.getBytes(StandardCharsets.UTF_8);
        this.timeout = args.seconds("timeout", 30);
    }

    /** The replies that completed in one measuring window. */
    private static final class Window {
        final long[] latencies;
        final AtomicInteger count = new AtomicInteger();
        final AtomicLong errors = new AtomicLong();
        final long start = System.nanoTime();

        Window(int capacity) {
            latencies = new long[capacity];
        }

        void add(long nanos) {
            int i = count.getAndIncrement();
            if (i < latencies.length) {
                latencies[i] = nanos;
            }
        }
    }

    static void run(Args args) throws Exception {
        String id = args.get("id");
        int inflight = args.integer("inflight", 1);
        Duration warmup = args.seconds("warmup", 5);
        Duration window = args.seconds("window", 3);
        int repeats = args.integer("repeats", 5);
        Options options = Options.builder().server(args.get("nats")).connectionName("bench-load")
                .reportNoResponders().maxMessagesInOutgoingQueue(100_000).build();
        try (Connection nc = Nats.connect(options)) {
            NatsLoad load = new NatsLoad(nc, args);
            load.awaitResponder(Duration.ofSeconds(120));
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1 << 16, 400_000L * Math.max(1, window.toSeconds() + 1)));
            load.current.set(new Window(capacity));
            CountDownLatch drivers = load.start(inflight);
            double warmedUp = load.warmUp(warmup, args.seconds("warmup-max", warmup.toSeconds()),
                    Double.parseDouble(args.get("stable", "0.1")));
            System.err.printf("%s: warmed up in %.0f s; measuring %d x %.1f s with %d in flight%n", id, warmedUp,
                    repeats, window.toMillis() / 1e3, inflight);
            List<Double> rps = new ArrayList<>(), p50 = new ArrayList<>(), p99 = new ArrayList<>(), mean = new ArrayList<>(),
                    errors = new ArrayList<>(), cpu = new ArrayList<>();
            List<Long> pids = args.all("pid").stream().map(Long::parseLong).toList();
            load.current.set(new Window(capacity));
            for (int r = 0; r < repeats; r++) {
                long ticks = CpuTime.ticks(pids);
                Thread.sleep(window);
                Window done = load.current.getAndSet(new Window(capacity));
                cpu.add(CpuTime.micros(CpuTime.ticks(pids) - ticks) / Math.max(1, done.count.get()));
                double seconds = (System.nanoTime() - done.start) / 1e9;
                int n = Math.min(done.count.get(), done.latencies.length);
                rps.add(done.count.get() / seconds);
                long[] lat = Arrays.copyOf(done.latencies, n);
                mean.add(n == 0 ? 0 : Arrays.stream(lat).average().orElse(0) / 1e3);
                p50.add(Stats.percentile(lat, n, 50) / 1e3);
                p99.add(Stats.percentile(lat, n, 99) / 1e3);
                errors.add((double) done.errors.get());
            }
            load.stopped = true;
            if (!drivers.await(load.timeout.toSeconds() + 5, TimeUnit.SECONDS)) {
                System.err.println(id + ": some requests never completed");
            }
            Samples.emit(id + ".rps", "req/s", rps);
            Samples.emit(id + ".p50", "us", p50);
            Samples.emit(id + ".p99", "us", p99);
            Samples.emit(id + ".mean", "us", mean);
            Samples.emit(id + ".errors", "count", errors);
            Samples.emit(id + ".warmup", "s", List.of(warmedUp));
            if (!pids.isEmpty()) {
                Samples.emit(id + ".cpu", "us", cpu);
            }
        }
    }

    /**
     * Runs the load for at least {@code min} and until the last three 1-second windows agree on
     * requests/s within {@code tolerance} (the JIT has settled), but no longer than {@code max}.
     * Returns the seconds it took.
     */
    private double warmUp(Duration min, Duration max, double tolerance) throws InterruptedException {
        long start = System.nanoTime();
        double[] last = {Double.NaN, Double.NaN, Double.NaN};
        for (int i = 0; ; i++) {
            current.set(new Window(1024)); // counts only: warm-up latencies are not kept
            Thread.sleep(1000);
            Window done = current.get();
            last[i % 3] = done.count.get() / ((System.nanoTime() - done.start) / 1e9);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double hi = Math.max(last[0], Math.max(last[1], last[2])), lo = Math.min(last[0], Math.min(last[1], last[2]));
            boolean stable = i >= 2 && hi > 0 && (hi - lo) / hi <= tolerance;
            if ((stable && elapsed >= min.toNanos() / 1e9) || elapsed >= max.toNanos() / 1e9) {
                if (!stable) {
                    System.err.printf("%s: still not steady after %.0f s of warm-up (last windows %.0f-%.0f req/s)%n",
                            subject, elapsed, lo, hi);
                }
                return elapsed;
            }
        }
    }

    /** Waits until the subject answers correctly, so start-up is not measured as latency. */
    private void awaitResponder(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Message reply = nc.request(subject, headers, body, Duration.ofSeconds(5));
                if (reply != null && !isError(reply)) {
                    return;
                }
            } catch (RuntimeException e) {
                // not connected yet or no responders: try again
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no correct reply on '" + subject + "' within " + limit);
    }

    private CountDownLatch start(int inflight) {
        CountDownLatch drivers = new CountDownLatch(inflight);
        if (inflight == 1) {
            Thread.ofPlatform().daemon(true).name("sequential").start(() -> {
                while (!stopped) {
                    long t0 = System.nanoTime();
                    Message reply;
                    try {
                        reply = nc.request(subject, headers, body, timeout);
                    } catch (InterruptedException e) {
                        break;
                    }
                    record(reply, System.nanoTime() - t0);
                }
                drivers.countDown();
            });
        } else {
            for (int i = 0; i < inflight; i++) {
                fire(drivers);
            }
        }
        return drivers;
    }

    /** Sends one request; its completion records it and sends the next, keeping the count in flight constant. */
    private void fire(CountDownLatch drivers) {
        if (stopped) {
            drivers.countDown();
            return;
        }
        long t0 = System.nanoTime();
        nc.requestWithTimeout(subject, headers, body, timeout).whenComplete((reply, error) -> {
            record(error == null ? reply : null, System.nanoTime() - t0);
            fire(drivers);
        });
    }

    private void record(Message reply, long nanos) {
        Window window = current.get();
        if (reply == null || isError(reply)) {
            window.errors.incrementAndGet();
        } else {
            window.add(nanos);
        }
    }

    private boolean isError(Message reply) {
        if (reply.isStatusMessage() || (reply.hasHeaders() && reply.getHeaders().containsKey("Nats-Service-Error-Code"))) {
            return true;
        }
        if (expected != null && !Arrays.equals(expected, reply.getData())) {
            if (mismatchesReported.getAndIncrement() == 0) {
                System.err.println(subject + ": unexpected reply '" + new String(reply.getData(), StandardCharsets.UTF_8)
                        + "', expected '" + new String(expected, StandardCharsets.UTF_8) + "'");
            }
            return true;
        }
        return false;
    }
}

package dev.metropolis.bench;

import io.nats.client.Connection;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts failed requests while something breaks: {@code --clients} clients each send one request
 * at a time for {@code --seconds}, directly over NATS ({@code --nats URL --subject S}) or through
 * the gateway ({@code --http URL --method PUT}), and every reply is checked against the payload.
 * So at any instant at most {@code --clients} requests are in flight. A NATS "no responders"
 * status (the message reached nobody) is sent again after 25 ms, as a careful client would.
 */
final class SteadyLoad {
    private interface Call {
        void send(byte[] body) throws Exception;
    }

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> firstFailures = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    static void run(Args args) throws Exception {
        String id = args.get("id");
        int clients = args.integer("clients", 4);
        Duration duration = args.seconds("seconds", 10);
        Duration timeout = args.seconds("timeout", 5);
        SteadyLoad load = new SteadyLoad();
        Connection nats = null;
        Call call;
        if (args.get("http", "").isEmpty()) {
            nats = Nats.connect(Options.builder().servers(args.get("nats").split(",")).connectionName("bench-steady")
                    .reportNoResponders().maxReconnects(-1).build());
            call = natsCall(nats, args.get("subject"), timeout);
        } else {
            call = httpCall(URI.create(args.get("http")), args.get("method", "POST"), args.get("request-timeout", ""), timeout);
        }
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int client = 0; client < clients; client++) {
            String prefix = id + "-" + client + "-";
            threads.add(Thread.ofPlatform().start(() -> load.drive(prefix, call)));
        }
        Thread.sleep(duration);
        load.running = false;
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (nats != null) {
            nats.close();
        }
        Samples.emit(id + ".sent", "count", List.of((double) load.sent.get()));
        Samples.emit(id + ".failed", "count", List.of((double) load.failed.get()));
        Samples.emit(id + ".rps", "req/s", List.of(load.sent.get() / seconds));
        System.err.printf("%s: %d requests from %d clients in %.1f s, %d failed%s%n", id, load.sent.get(), clients, seconds,
                load.failed.get(), load.firstFailures.isEmpty() ? "" : "; first failures: " + load.firstFailures);
    }

    private void drive(String prefix, Call call) {
        while (running) {
            byte[] body = (prefix + sent.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            try {
                call.send(body);
            } catch (Exception e) {
                failed.incrementAndGet();
                if (firstFailures.size() < 5) {
                    firstFailures.add(String.valueOf(e));
                }
            }
        }
    }

    private static Call natsCall(Connection nats, String subject, Duration timeout) {
        Headers headers = new Headers().put("Content-Type", "text/plain");
        return body -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                try {
                    Message reply = nats.requestWithTimeout(subject, headers, body, timeout)
                            .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                    check(body, new String(reply.getData(), StandardCharsets.UTF_8), String.valueOf(reply.getHeaders()));
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof JetStreamStatusException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(25); // no responders: nobody got it, send it again
                }
            }
        };
    }

    private static Call httpCall(URI uri, String method, String requestTimeout, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return body -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout.plusSeconds(5))
                    .header("Content-Type", "text/plain").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            if (!requestTimeout.isEmpty()) {
                request.header("Request-Timeout", requestTimeout);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
            }
            check(body, response.body(), "");
        };
    }

    private static void check(byte[] body, String reply, String context) {
        String expected = new String(body, StandardCharsets.UTF_8);
        if (!reply.equals(expected)) {
            throw new IllegalStateException("expected '" + expected + "', got '" + reply + "' " + context);
        }
    }
}

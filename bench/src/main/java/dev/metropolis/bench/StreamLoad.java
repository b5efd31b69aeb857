package dev.metropolis.bench;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Streamed replies: asks a streaming echo task for {@code --chunks} chunks, one stream at a time,
 * over NATS ({@code --nats}: a plain jnats consumer of the protocol, acknowledging every 16th chunk)
 * or as Server-Sent Events through the gateway ({@code --http}). Prints ID.rate (chunks per second
 * over a whole stream) and ID.first (ms from the request to the first chunk).
 */
final class StreamLoad {
    private static final int ACK_EVERY = 16;

    private StreamLoad() {}

    /** One stream's figures. */
    private record Timing(double firstMillis, double chunksPerSecond) {}

    static void run(Args args) throws Exception {
        String id = args.get("id");
        int chunks = args.integer("chunks", 10_000);
        int warmup = args.integer("warmup-streams", 3);
        int repeats = args.integer("repeats", 5);
        String payload = args.get("payload", "metropolis bench");
        byte[] body = ("{\"n\": " + chunks + ", \"chunk\": \"" + payload + "\"}").getBytes(StandardCharsets.UTF_8);
        List<Double> rates = new ArrayList<>();
        List<Double> firsts = new ArrayList<>();
        String http = args.get("http", "");
        try (Connection nc = http.isEmpty() ? Nats.connect(Options.builder().server(args.get("nats"))
                .connectionName("bench-stream-load").build()) : null) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < warmup + repeats; i++) {
                Timing timing = http.isEmpty() ? overNats(nc, args.get("subject"), body, chunks)
                        : overSse(client, http, body, chunks);
                if (i >= warmup) {
                    rates.add(timing.chunksPerSecond());
                    firsts.add(timing.firstMillis());
                }
            }
        }
        Samples.emit(id + ".rate", "chunks/s", rates);
        Samples.emit(id + ".first", "ms", firsts);
    }

    private static Timing overNats(Connection nc, String subject, byte[] body, int chunks) throws Exception {
        Subscription inbox = nc.subscribe(nc.createInbox());
        long started = System.nanoTime();
        nc.publish(subject, inbox.getSubject(), null, body);
        long first = 0;
        int received = 0;
        while (true) {
            Message message = inbox.nextMessage(Duration.ofSeconds(30));
            if (message == null) {
                throw new IllegalStateException("no chunk within 30 s after " + received);
            }
            String sequence = message.getHeaders() == null ? null : message.getHeaders().getFirst("Metropolis-Chunk");
            if (sequence == null) {
                break; // the end (or an error, caught by the count below)
            }
            if (received++ == 0) {
                first = System.nanoTime();
            }
            if (received % ACK_EVERY == 0) {
                nc.publish(message.getReplyTo(), sequence.getBytes(StandardCharsets.US_ASCII));
            }
        }
        inbox.unsubscribe();
        return timing(started, first, received, chunks);
    }

    private static Timing overSse(HttpClient client, String url, byte[] body, int chunks) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long started = System.nanoTime();
        HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long first = 0;
        int received = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("id: ") && received++ == 0) {
                    first = System.nanoTime();
                }
                if (line.startsWith("event: ")) {
                    break;
                }
            }
        }
        return timing(started, first, received, chunks);
    }

    private static Timing timing(long started, long first, int received, int chunks) {
        if (received != chunks) {
            throw new IllegalStateException("expected " + chunks + " chunks, got " + received);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Timing((first - started) / 1e6, chunks / seconds);
    }
}

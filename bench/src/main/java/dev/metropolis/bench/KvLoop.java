package dev.metropolis.bench;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline of a task's key-value state: a bare jnats client doing what bench's kv.js does per
 * message (a get, then a put of the incremented value) in a plain loop. Prints ID.mean in µs per pair.
 */
final class KvLoop {
    private KvLoop() {}

    static void run(Args args) throws Exception {
        String id = args.get("id");
        String bucket = args.get("bucket", "bench-baseline");
        double warmup = Double.parseDouble(args.get("warmup", "2"));
        double window = Double.parseDouble(args.get("window", "2"));
        int repeats = args.integer("repeats", 3);
        try (Connection nc = Nats.connect(Options.builder().server(args.get("nats")).connectionName("bench-kv-loop").build())) {
            if (!nc.keyValueManagement().getBucketNames().contains(bucket)) {
                nc.keyValueManagement().create(KeyValueConfiguration.builder().name(bucket).storageType(StorageType.File).build());
            }
            KeyValue kv = nc.keyValue(bucket);
            measure(kv, warmup);
            List<Double> means = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                means.add(measure(kv, window));
            }
            Samples.emit(id + ".mean", "us", means);
        }
    }

    /** Mean µs of one get + put, over {@code seconds}. */
    private static double measure(KeyValue kv, double seconds) throws Exception {
        long pairs = 0;
        long started = System.nanoTime();
        long until = started + (long) (seconds * 1e9);
        while (System.nanoTime() < until) {
            KeyValueEntry entry = kv.get("counter");
            long value = entry == null ? 0 : Long.parseLong(new String(entry.getValue(), StandardCharsets.UTF_8));
            kv.put("counter", Long.toString(value + 1));
            pairs++;
        }
        return (System.nanoTime() - started) / 1e3 / pairs;
    }
}

package dev.metropolis.bench;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Stream-triggered throughput: publishes a batch of messages into a JetStream stream, then times
 * how fast a durable consumer's messages are acknowledged (read from the consumer's state: what is
 * neither pending nor awaiting an ack has been acked). With {@code --bare} this tool also runs the
 * consumer itself (a jnats pull consumer acking each message: the baseline); otherwise the
 * consumer is a host's stream-triggered task. Prints ID.rate in messages acked per second.
 */
final class StreamAcks {
    private StreamAcks() {}

    static void run(Args args) throws Exception {
        String id = args.get("id");
        String stream = args.get("stream");
        String subject = args.get("subject");
        String durable = args.get("durable");
        boolean bare = args.get("bare", "false").equals("true");
        int messages = args.integer("messages", 20_000);
        int repeats = args.integer("repeats", 3);
        byte[] payload = args.get("payload", "0123456789abcdef").getBytes(StandardCharsets.UTF_8);
        try (Connection nc = Nats.connect(Options.builder().server(args.get("nats")).connectionName("bench-stream-acks").build())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            Thread consumer = null;
            if (bare) {
                if (!jsm.getStreamNames().contains(stream)) {
                    jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject)
                            .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File).build());
                }
                jsm.addOrUpdateConsumer(stream, ConsumerConfiguration.builder().durable(durable).filterSubject(subject)
                        .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(30)).build());
                JetStreamSubscription subscription = nc.jetStream().subscribe(subject, PullSubscribeOptions.bind(stream, durable));
                consumer = Thread.ofPlatform().daemon(true).name("bare-consumer").start(() -> consume(subscription));
            }
            JetStream js = nc.jetStream();
            awaitSettled(jsm, stream, durable, Duration.ofSeconds(60)); // the host's consumer exists and is idle
            measure(js, jsm, stream, subject, durable, payload, Math.max(1, messages / 10)); // warm-up
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                rates.add(measure(js, jsm, stream, subject, durable, payload, messages));
            }
            Samples.emit(id + ".rate", "msg/s", rates);
            if (consumer != null) {
                consumer.interrupt();
            }
        }
    }

    /** The bare baseline: fetch up to 64 at a time, ack each. */
    private static void consume(JetStreamSubscription subscription) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (Message message : subscription.fetch(64, Duration.ofMillis(200))) {
                    message.ack();
                }
            } catch (RuntimeException e) {
                return; // the connection closed at the end of the run
            }
        }
    }

    /** Publishes {@code count} messages (stored before timing starts), then returns acks per second until all are acked. */
    private static double measure(JetStream js, JetStreamManagement jsm, String stream, String subject, String durable,
            byte[] payload, int count) throws Exception {
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(count);
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            acks.add(js.publishAsync(subject, payload));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        awaitSettled(jsm, stream, durable, Duration.ofMinutes(10));
        return count / ((System.nanoTime() - started) / 1e9);
    }

    private static void awaitSettled(JetStreamManagement jsm, String stream, String durable, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ConsumerInfo info;
            try {
                info = jsm.getConsumerInfo(stream, durable);
            } catch (io.nats.client.JetStreamApiException e) {
                info = null; // not created yet: the host is still binding
            }
            if (info != null && info.getNumPending() == 0 && info.getNumAckPending() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("consumer " + durable + " of " + stream + " did not settle within " + timeout);
            }
            Thread.sleep(5); // polling the consumer's state is the measurement; it has no event to wait on
        }
    }
}

package dev.metropolis.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** The ceiling for messaging: a bare jnats responder that sends every payload back, nothing else. */
final class EchoResponder {
    private EchoResponder() {}

    static void run(Args args) throws Exception {
        String subject = args.get("subject");
        Connection nc = Nats.connect(Options.builder().server(args.get("nats")).connectionName("bench-java-echo").build());
        Dispatcher dispatcher = nc.createDispatcher(msg -> nc.publish(msg.getReplyTo(), msg.getData()));
        dispatcher.subscribe(subject, "bench");
        nc.flush(Duration.ofSeconds(5));
        System.out.println("ready: java echo on " + subject);
        System.out.flush();
        new CountDownLatch(1).await(); // until bench/run stops the process
    }
}

package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.testkit.Await;

import dev.metropolis.testkit.FreePort;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.service.Discovery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hosts in one queue group; stopping one under load drains it without a failed request. */
class DrainTest {

    @Test
    void stoppingAHostUnderLoadLosesNothing(@TempDir Path scripts) throws Exception {
        // Each call spins 20 ms, so a stop always finds calls in flight.
        Files.writeString(scripts.resolve("work.js"), """
                // /// metropolis
                // subject = "drain.work"
                // concurrency = 4
                // ///
                export function handle(body) {
                  const end = Date.now() + 20;
                  while (Date.now() < end) { /* work */ }
                  return 'done';
                }
                """);
        int port = FreePort.next();
        NatsSettings nats = NatsSettings.of("nats://127.0.0.1:" + port);
        try (LocalNatsServer server = LocalNatsServer.start(port, System.getenv());
                Host stays = Host.builder(new HostConfig(scripts, nats, Duration.ofSeconds(5)), TestSupport.ENGINES).start();
                Connection client = TestSupport.client(port)) {
            Host leaves = Host.builder(new HostConfig(scripts, nats, Duration.ofSeconds(5)), TestSupport.ENGINES).start();
            // A busy host may answer discovery after the window: ask until both have answered.
            Await.until(Duration.ofSeconds(30), "both hosts in discovery",
                    () -> new Discovery(client, 500, 10).ping("work").size() == 2);

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                clients.add(Thread.ofPlatform().start(() -> {
                    while (running.get()) {
                        sent.incrementAndGet();
                        try {
                            Message reply = client.requestWithTimeout("drain.work", new byte[0], Duration.ofSeconds(10))
                                    .get(11, TimeUnit.SECONDS);
                            if (TestSupport.errorCode(reply) != 0 || !TestSupport.text(reply).equals("done")) {
                                throw new AssertionError(TestSupport.text(reply));
                            }
                            answered.incrementAndGet();
                        } catch (Exception | AssertionError e) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e.toString());
                        }
                    }
                }));
            }
            // Under load on both hosts before the stop, so the stop finds calls in flight.
            Await.until(Duration.ofSeconds(30), "50 answered requests", () -> answered.get() >= 50);
            int beforeStop = sent.get();
            leaves.close(); // what SIGTERM does: leave discovery, finish in-flight calls, close
            // And after it: every request from now on goes to the host that stays.
            int answeredAtStop = answered.get();
            Await.until(Duration.ofSeconds(30), "50 more answered requests after the stop",
                    () -> answered.get() >= answeredAtStop + 50 || failed.get() > 0);
            running.set(false);
            for (Thread thread : clients) {
                thread.join();
            }
            System.out.printf("drain under load: %d requests (%d before the stop), %d failed%n",
                    sent.get(), beforeStop, failed.get());
            assertThat(sent.get()).isGreaterThan(beforeStop + 20);
            assertThat(failed.get()).as("first failure: %s", firstFailure.get()).isZero();
            assertThat(new Discovery(client, 1000, 10).ping("work")).hasSize(1);
        }
    }
}

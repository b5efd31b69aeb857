package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.request;
import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.testkit.Await;

import dev.metropolis.testkit.FreePort;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import io.nats.client.Connection;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host outlives a nats-server restart: it reconnects and resubscribes without help. */
class ReconnectIT {

    @Test
    void hostServesAgainAfterTheServerRestarts(@TempDir Path scripts) throws Exception {
        TestSupport.withTestScripts(scripts, "cjs.js");
        int port = FreePort.next();
        LocalNatsServer server = LocalNatsServer.start(port, System.getenv());
        try (Host host = Host.builder(new HostConfig(scripts, NatsSettings.of("nats://127.0.0.1:" + port), Duration.ofSeconds(2)), TestSupport.ENGINES).start();
                Connection client = TestSupport.client(port)) {
            assertThat(text(request(client, "cjs.greet", "before"))).isEqualTo("hello, before");

            server.close();
            Await.until(Duration.ofSeconds(10), "the host to notice the outage",
                    () -> host.connection().getStatus() != Connection.Status.CONNECTED);
            server = LocalNatsServer.start(port, System.getenv());

            Await.until(Duration.ofSeconds(20), "the host to serve again after the restart", () -> {
                try {
                    return text(request(client, "cjs.greet", "after")).equals("hello, after");
                } catch (Exception e) {
                    return false; // still reconnecting: no responders or a timeout
                }
            });
        } finally {
            server.close();
        }
    }
}

package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Readiness follows the NATS connection: down when NATS goes away, up again when it is back. */
class GatewayReadinessTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readinessFlipsWithTheNatsConnection() throws Exception {
        int port = FreePort.next();
        LocalNatsServer server = LocalNatsServer.start(port, System.getenv());
        try (Gateway gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, NatsSettings.of("nats://127.0.0.1:" + port),
                1 << 20, 64, Duration.ofSeconds(1), Duration.ofSeconds(1))).start()) {
            awaitReadiness(gateway, 200);
            assertThat(status(gateway, "/observe/health/live")).isEqualTo(200);

            server.close();
            awaitReadiness(gateway, 503);
            assertThat(status(gateway, "/observe/health/live")).as("liveness does not depend on NATS").isEqualTo(200);
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri(gateway, "/any/task"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isIn(404, 503);

            server = LocalNatsServer.start(port, System.getenv());
            awaitReadiness(gateway, 200);
        } finally {
            server.close();
        }
    }

    private void awaitReadiness(Gateway gateway, int expected) {
        Await.until(Duration.ofSeconds(20), "readiness " + expected, () -> status(gateway, "/observe/health/ready") == expected);
    }

    private int status(Gateway gateway, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(gateway, path)).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static URI uri(Gateway gateway, String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }
}

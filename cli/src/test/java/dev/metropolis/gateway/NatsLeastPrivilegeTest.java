package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.FreePort;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host and gateway on a nats-server whose users have only the permissions the README gives them:
 * a task still answers through the gateway, and the server refuses the gateway's user anything else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class NatsLeastPrivilegeTest {
    /** The README's example, with the subjects of this test's task. */
    private static final String CONFIG = """
            authorization {
              users = [
                {user: gateway, password: "gateway-pass", permissions: {
                  publish:   {allow: ["text.>", "$SRV.INFO", "$SRV.INFO.>"]}
                  subscribe: {allow: ["_INBOX.>"]}
                }}
                {user: host, password: "host-pass", permissions: {
                  publish:   {allow: ["_INBOX.>", "$SRV.>"]}
                  subscribe: {allow: ["text.>", "$SRV.>"]}
                  allow_responses: true
                }}
              ]
            }
            """;
    private static final String SHOUT = """
            // /// metropolis
            // subject = "text.shout"
            // ///
            function handle(body) { return String(body).toUpperCase(); }
            """;

    private LocalNatsServer server;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private String url;

    private NatsSettings as(String user, String password) {
        return new NatsSettings(List.of(url), null, null, user, password, null, null, null, null);
    }

    @BeforeAll
    void start(@TempDir Path scripts, @TempDir Path nats) throws Exception {
        Files.writeString(scripts.resolve("shout.js"), SHOUT);
        Path config = Files.writeString(nats.resolve("nats.conf"), CONFIG);
        int port = FreePort.next();
        url = "nats://127.0.0.1:" + port;
        server = LocalNatsServer.start(port, List.of("-c", config.toString()), nats.resolve("nats.log"), System.getenv());
        engines = new Engines();
        host = Host.builder(new HostConfig(scripts, as("host", "host-pass"), Duration.ofSeconds(5)), engines).start();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, as("gateway", "gateway-pass"), 64 * 1024, 64,
                Duration.ofSeconds(1), Duration.ofSeconds(5))).start();
        Await.until(Duration.ofSeconds(30), "the gateway to discover the shout task", () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().stream().anyMatch(route -> route.task().equals("shout"));
        });
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(gateway, host, engines, server);
    }

    @Test
    void aTaskAnswersThroughTheGatewayWithTheseUsers() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.port() + "/text/shout")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("quiet")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("QUIET");
    }

    @Test
    void theServerRefusesTheGatewaysUserATaskSubscription() throws Exception {
        BlockingQueue<String> errors = new LinkedBlockingQueue<>();
        Options options = new Options.Builder().server(url).userInfo("gateway", "gateway-pass")
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection connection, String error) {
                        errors.add(error);
                    }
                }).build();
        Connection connection = Nats.connect(options);
        try {
            // Were it allowed, this user could take the host's requests (and read what callers send).
            connection.subscribe("text.shout");
            connection.flush(Duration.ofSeconds(5));
            String error = errors.poll(10, TimeUnit.SECONDS);
            assertThat(error).isNotNull().containsIgnoringCase("permissions violation").contains("text.shout");
        } finally {
            connection.close();
        }
    }
}

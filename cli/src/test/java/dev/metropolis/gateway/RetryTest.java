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
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's retries against a real nats-server and host: the host serves retry.js once so the
 * gateway learns its routes, then stops; the routes stay known (discovery keeps them for a few
 * rounds) while no task answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetryTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path scripts;
    private LocalNatsServer server;
    private NatsSettings nats;
    private Engines engines;
    private Gateway gateway;
    private Connection client;

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        this.scripts = scripts;
        try (InputStream in = RetryTest.class.getResourceAsStream("/scripts/retry.js")) {
            Files.copy(in, scripts.resolve("retry.js"));
        }
        int port = FreePort.next();
        server = LocalNatsServer.start(port, System.getenv());
        nats = NatsSettings.of("nats://127.0.0.1:" + port);
        engines = new Engines();
        client = Nats.connect("nats://127.0.0.1:" + port);
        // A long discovery interval: the routes outlive the host for minutes.
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, nats, 64 * 1024, 64, Duration.ofSeconds(60),
                Duration.ofSeconds(5))).start();
        try (Host host = Host.builder(new HostConfig(scripts, nats, Duration.ofSeconds(2)), engines).start()) {
            Await.until(Duration.ofSeconds(15), "the gateway to discover retry.js", () -> {
                gateway.refreshRoutes();
                return gateway.routes().routes().stream().anyMatch(route -> route.task().equals("retry"));
            });
        }
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(gateway, client, engines, server);
    }

    @Test
    void aRequestNoHostReceivedIsRetriedUntilAHostServesIt() throws Exception {
        double retriesBefore = retries("no_responders");
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(to("/retry/echo")
                .header("Request-Timeout", "30s").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("still here")).build(), HttpResponse.BodyHandlers.ofString());
        awaitRetries("no_responders", retriesBefore);
        assertThat(response).isNotDone();

        try (Host host = Host.builder(new HostConfig(scripts, nats, Duration.ofSeconds(2)), engines).start()) {
            HttpResponse<String> answered = response.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            assertThat(answered.body()).isEqualTo("still here");
        }
    }

    @Test
    void aLostReplyIsRetriedForPutButNotForPost() throws Exception {
        AtomicInteger received = new AtomicInteger();
        // Takes the message and never replies: what a host whose NATS server crashed looks like.
        var blackHole = client.createDispatcher(message -> received.incrementAndGet());
        blackHole.subscribe("retry.lost", "metropolis");
        client.flush(Duration.ofSeconds(5));
        try {
            HttpResponse<String> post = send("POST");
            assertThat(post.statusCode()).as(post.body()).isEqualTo(504);
            assertThat(post.body()).contains("sent no reply within 1s");
            assertThat(received.get()).as("a POST is sent once: the task may have run").isEqualTo(1);

            double retriesBefore = retries("timeout");
            HttpResponse<String> put = send("PUT");
            assertThat(put.statusCode()).as(put.body()).isEqualTo(504);
            assertThat(received.get() - 1).as("a PUT is sent again while its 3 s deadline allows").isGreaterThanOrEqualTo(2);
            assertThat(retries("timeout")).isGreaterThanOrEqualTo(retriesBefore + 1);
        } finally {
            client.closeDispatcher(blackHole);
        }
    }

    private HttpResponse<String> send(String method) throws Exception {
        return http.send(to("/retry/lost").header("Request-Timeout", "3s")
                .method(method, HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(40));
    }

    private void awaitRetries(String reason, double before) {
        Await.until(Duration.ofSeconds(10), "the gateway to retry (reason " + reason + ")", () -> retries(reason) > before);
    }

    /** metropolis_gateway_retries_total of the retry.js routes for {@code reason}, from the gateway's metrics. */
    private double retries(String reason) throws Exception {
        String metrics = http.send(to("/observe/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = Pattern.compile("^metropolis_gateway_retries_total\\{([^}]*)} (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        double total = 0;
        while (matcher.find()) {
            if (matcher.group(1).contains("reason=\"" + reason + "\"") && matcher.group(1).contains("/retry/")) {
                total += Double.parseDouble(matcher.group(2));
            }
        }
        return total;
    }
}

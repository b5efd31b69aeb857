package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.observe.ObserveAddress;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.FreePort;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream task's counters and consumer gauges on the host's {@code /observe/metrics}, with the
 * counts a small known run must give: three messages that succeed, one that fails once, one that
 * always fails (two deliveries each at most, then the dead-letter subject).
 */
@Timeout(120)
class StreamMetricsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void deliveriesAcksNaksDeadLettersAndConsumerStateAreCounted(@TempDir Path scripts) throws Exception {
        Files.writeString(scripts.resolve("metered.py"), """
                # /// metropolis
                # stream = "METERED"
                # subject = "metered.in"
                # timeout = "5s"
                # max_deliver = 2
                # backoff = "50ms"
                # dead_letter = "dead.metered"
                # ///
                def handle(body, msg):
                    if body["fail"] == "always" or (body["fail"] == "once" and msg.deliveries == 1):
                        raise ValueError("failing " + body["fail"])
                """);
        int metricsPort = FreePort.next();
        try (TestNats server = TestNats.start();
                Connection nats = server.connect();
                Host host = Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(5), false,
                        new ObserveAddress("127.0.0.1", metricsPort)), TestSupport.ENGINES).start()) {
            assertThat(host.problems()).isEmpty();
            JetStream js = nats.jetStream();
            for (String fail : new String[] {"no", "no", "no", "once", "always"}) {
                js.publish("metered.in", ("{\"fail\": \"" + fail + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            String[] metrics = new String[1];
            Await.until(Duration.ofSeconds(60), "4 acks and 1 dead letter, and the consumer read as settled", () -> {
                metrics[0] = scrape(metricsPort);
                return value(metrics[0], "metropolis_stream_acks_total", "") == 4
                        && value(metrics[0], "metropolis_stream_dead_letters_total", "") == 1
                        && value(metrics[0], "metropolis_stream_consumer_messages", "state=\"ack_pending\"") == 0
                        && value(metrics[0], "metropolis_stream_consumer_messages", "state=\"pending\"") == 0;
            });
            // On a failure, every count of the task says which message took which path.
            String counts = metrics[0].lines().filter(line -> line.contains("task=\"metered\"")).reduce("", (a, b) -> a + "\n" + b);
            assertThat(value(metrics[0], "metropolis_stream_deliveries_total", "")).as(counts).isEqualTo(7);
            assertThat(value(metrics[0], "metropolis_stream_redeliveries_total", "")).as(counts).isEqualTo(2);
            assertThat(value(metrics[0], "metropolis_stream_naks_total", "")).as(counts).isEqualTo(2);
            assertThat(value(metrics[0], "metropolis_stream_terms_total", "")).as(counts).isEqualTo(0);
            assertThat(value(metrics[0], "metropolis_task_invocations_total", "outcome=\"ok\"")).as(counts).isEqualTo(4);
        }
    }

    private String scrape(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of {@code name} for task "metered" whose labels contain {@code label}; -1 when absent. */
    private static double value(String metrics, String name, String label) {
        Matcher line = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$").matcher(metrics);
        while (line.find()) {
            if (line.group(1).contains("task=\"metered\"") && line.group(1).contains(label)) {
                return Double.parseDouble(line.group(2));
            }
        }
        return -1;
    }
}

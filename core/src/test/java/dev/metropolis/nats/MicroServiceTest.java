package dev.metropolis.nats;

import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.FreePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.service.Discovery;
import io.nats.service.EndpointStats;
import io.nats.service.InfoResponse;
import io.nats.service.ServiceMessage;
import io.nats.service.StatsResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The discovery protocol as jnats' own {@link Discovery} client reads it, and stats that count
 * replies sent later from another thread, against a real nats-server.
 */
class MicroServiceTest {
    private static final Duration REPLY_DELAY = Duration.ofMillis(50);

    private static LocalNatsServer server;
    private static Connection nats;
    private static Connection reportsNoResponders;
    private static ScheduledExecutorService later;

    @BeforeAll
    static void startNats() throws Exception {
        int port = FreePort.next();
        server = LocalNatsServer.start(port, System.getenv());
        String url = "nats://127.0.0.1:" + port;
        nats = Nats.connect(url);
        // Reports "no responders" as a 503; jnats' Discovery cannot share it (it would parse the 503 as an answer).
        reportsNoResponders = Nats.connect(Options.builder().server(url).reportNoResponders().build());
        later = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopNats() throws Exception {
        later.shutdownNow();
        nats.close();
        reportsNoResponders.close();
        server.close();
    }

    /**
     * Answers "fail" with an error and anything else with its upper-case form, {@link #REPLY_DELAY}
     * later on another thread; the handler itself returns at once.
     */
    private static MicroService.Endpoint delayedUpperCase(String subject) {
        return new MicroService.Endpoint("upper", subject, "workers", Map.of("subject", subject), (message, endpoint) -> {
            long arrived = System.nanoTime();
            later.schedule(() -> {
                String text = new String(message.getData(), StandardCharsets.UTF_8);
                // Recorded before the reply goes out, as the host does: a caller with its answer finds it counted.
                if (text.equals("fail")) {
                    endpoint.record(System.nanoTime() - arrived, "422 refused on purpose");
                    nats.publish(message.getReplyTo(), new Headers().put(ServiceMessage.NATS_SERVICE_ERROR_CODE, "422"),
                            new byte[0]);
                } else {
                    endpoint.record(System.nanoTime() - arrived, null);
                    nats.publish(message.getReplyTo(), text.toUpperCase().getBytes(StandardCharsets.UTF_8));
                }
            }, REPLY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private static MicroService started(String name, MicroService.Endpoint... endpoints) {
        MicroService service = new MicroService(nats, name, "1.2.3", "a test service", Map.of("owner", "tests"),
                List.of(endpoints));
        service.start();
        return service;
    }

    private static String request(String subject, String body) throws Exception {
        Message reply = nats.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
        assertThat(reply).as("reply on " + subject).isNotNull();
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }

    @Test
    void discoveryFindsTheServiceByNameAndById() throws Exception {
        MicroService service = started("finder", delayedUpperCase("finder.upper"));
        try {
            Discovery discovery = new Discovery(nats, 500, 10);
            assertThat(discovery.ping()).anyMatch(ping -> ping.getId().equals(service.id()));
            assertThat(discovery.ping("finder")).singleElement().satisfies(ping -> {
                assertThat(ping.getVersion()).isEqualTo("1.2.3");
                assertThat(ping.getMetadata()).containsEntry("owner", "tests");
            });
            InfoResponse info = discovery.info("finder", service.id());
            assertThat(info).isNotNull();
            assertThat(info.getDescription()).isEqualTo("a test service");
            assertThat(info.getEndpoints()).singleElement().satisfies(endpoint -> {
                assertThat(endpoint.getName()).isEqualTo("upper");
                assertThat(endpoint.getSubject()).isEqualTo("finder.upper");
                assertThat(endpoint.getQueueGroup()).isEqualTo("workers");
                assertThat(endpoint.getMetadata()).containsEntry("subject", "finder.upper");
            });
            assertThat(discovery.stats("finder", service.id()).getStarted()).isNotNull();
        } finally {
            service.stop(false, Duration.ofSeconds(1));
        }
    }

    @Test
    void statsCountRepliesSentLaterAndTheirErrors() throws Exception {
        MicroService service = started("counter", delayedUpperCase("counter.upper"));
        try {
            List<CompletableFuture<Message>> replies = new ArrayList<>();
            for (String body : List.of("a", "b", "c", "fail")) {
                replies.add(nats.request("counter.upper", body.getBytes(StandardCharsets.UTF_8)));
            }
            for (CompletableFuture<Message> reply : replies) {
                reply.get(5, TimeUnit.SECONDS);
            }
            assertThat(request("counter.upper", "d")).isEqualTo("D");

            StatsResponse stats = new Discovery(nats, 500, 10).stats("counter", service.id());
            EndpointStats endpoint = stats.getEndpointStatsList().getFirst();
            assertThat(endpoint.getNumRequests()).isEqualTo(5);
            assertThat(endpoint.getNumErrors()).isEqualTo(1);
            assertThat(endpoint.getLastError()).isEqualTo("422 refused on purpose");
            // Timed to the reply, not to the handler's return (which takes microseconds).
            assertThat(endpoint.getProcessingTime()).isGreaterThanOrEqualTo(5 * REPLY_DELAY.toNanos());
            assertThat(endpoint.getAverageProcessingTime()).isGreaterThanOrEqualTo(REPLY_DELAY.toNanos());
        } finally {
            service.stop(false, Duration.ofSeconds(1));
        }
    }

    @Test
    void aHandlerThatThrowsGetsTheCallerAnErrorAtOnce() throws Exception {
        MicroService service = started("broken", new MicroService.Endpoint("boom", "broken.boom", "workers", Map.of(),
                (message, endpoint) -> {
                    throw new IllegalStateException("bug on purpose");
                }));
        try {
            Message reply = nats.request("broken.boom", new byte[0], Duration.ofSeconds(5));
            assertThat(reply.getHeaders().getFirst(ServiceMessage.NATS_SERVICE_ERROR_CODE)).isEqualTo("500");
            EndpointStats stats = new Discovery(nats, 500, 10).stats("broken").getFirst().getEndpointStatsList().getFirst();
            assertThat(stats.getNumErrors()).isEqualTo(1);
            assertThat(stats.getLastError()).contains("bug on purpose");
        } finally {
            service.stop(false, Duration.ofSeconds(1));
        }
    }

    @Test
    void aServiceStoppedDuringANatsOutageStaysStoppedWhenNatsComesBack() throws Exception {
        int port = FreePort.next();
        String url = "nats://127.0.0.1:" + port;
        LocalNatsServer first = LocalNatsServer.start(port, System.getenv());
        try (Connection connection = Nats.connect(Options.builder().server(url).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(50)).build())) {
            MicroService service = new MicroService(connection, "outage", "1.0.0", "", Map.of(),
                    List.of(delayedUpperCase("outage.upper")));
            service.start();
            first.close();
            long started = System.nanoTime();
            service.stop(true, Duration.ofSeconds(1));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

            try (LocalNatsServer second = LocalNatsServer.start(port, System.getenv());
                    Connection client = Nats.connect(Options.builder().server(url).reportNoResponders().build())) {
                Await.until(Duration.ofSeconds(10), "the service's connection to reconnect",
                        () -> connection.getStatus() == Connection.Status.CONNECTED);
                connection.flush(Duration.ofSeconds(2)); // whatever it resubscribed has reached the server
                assertThatThrownBy(() -> client.request("outage.upper", new byte[0]).get(5, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(JetStreamStatusException.class)
                        .hasMessageContaining("503");
            }
        } finally {
            first.close();
        }
    }

    @Test
    void aStoppedServiceLeavesDiscoveryAndItsSubjects() throws Exception {
        MicroService stays = started("stayer", delayedUpperCase("stayer.upper"));
        MicroService service = started("leaver", delayedUpperCase("leaver.upper"));
        assertThat(request("leaver.upper", "x")).isEqualTo("X");
        // A message delivered just before the drain is still handed to the handler, which answers later.
        long received = nats.getStatistics().getInMsgs();
        CompletableFuture<Message> delivered = nats.request("leaver.upper", "late".getBytes(StandardCharsets.UTF_8));
        // Delivered = inside this client (the service shares its connection); no reply comes before REPLY_DELAY.
        Await.until(Duration.ofSeconds(5), "the request to reach the service's connection",
                () -> nats.getStatistics().getInMsgs() > received);
        service.stop(true, Duration.ofSeconds(2));

        assertThat(new String(delivered.get(5, TimeUnit.SECONDS).getData(), StandardCharsets.UTF_8)).isEqualTo("LATE");
        // (Asked by name, nobody would answer at all, and jnats' Discovery fails on NATS's 503.)
        assertThat(new Discovery(nats, 300, 10).ping()).extracting(ping -> ping.getId())
                .contains(stays.id()).doesNotContain(service.id());
        stays.stop(false, Duration.ofSeconds(1));
        assertThatThrownBy(() -> reportsNoResponders.request("leaver.upper", new byte[0]).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(JetStreamStatusException.class)
                .hasMessageContaining("503");
    }
}

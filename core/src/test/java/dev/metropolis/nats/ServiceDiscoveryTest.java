package dev.metropolis.nats;

import dev.metropolis.testkit.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.nats.ServiceDiscovery.Answers;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway's side of discovery against a real nats-server: each answer is read on its own. */
class ServiceDiscoveryTest {
    private static final Duration WINDOW = Duration.ofMillis(500);

    private static LocalNatsServer server;
    private static Connection nats;

    @BeforeAll
    static void startNats() throws Exception {
        int port = FreePort.next();
        server = LocalNatsServer.start(port, System.getenv());
        nats = Nats.connect("nats://127.0.0.1:" + port);
    }

    @AfterAll
    static void stopNats() throws Exception {
        nats.close();
        server.close();
    }

    @Test
    void noServiceAtAllIsAnEmptyRound() throws Exception {
        // The server answers "no responders" (a 503 status); jnats' Discovery throws on it.
        Answers answers = ServiceDiscovery.info(nats, WINDOW, 100);

        assertThat(answers.services()).isEmpty();
        assertThat(answers.unreadable()).isEmpty();
    }

    @Test
    void unreadableAnswersAreReportedAndHideNoOtherService() throws Exception {
        MicroService service = new MicroService(nats, "finder", "1.2.3", "finds", Map.of("owner", "tests"),
                List.of(new MicroService.Endpoint("upper", "finder.upper", "workers", Map.of("subject", "finder.upper"),
                        (message, endpoint) -> {})));
        Dispatcher foreign = nats.createDispatcher(message -> nats.publish(message.getReplyTo(),
                "this is not a service".getBytes(StandardCharsets.UTF_8)));
        Dispatcher pinging = nats.createDispatcher(message -> nats.publish(message.getReplyTo(),
                "{\"type\":\"io.nats.micro.v1.ping_response\",\"name\":\"pinger\"}".getBytes(StandardCharsets.UTF_8)));
        try {
            service.start();
            foreign.subscribe("$SRV.INFO");
            pinging.subscribe("$SRV.INFO");
            nats.flush(Duration.ofSeconds(5));

            Answers answers = ServiceDiscovery.info(nats, WINDOW, 100);

            assertThat(answers.services()).singleElement().satisfies(info -> {
                assertThat(info.name()).isEqualTo("finder");
                assertThat(info.id()).isEqualTo(service.id());
                assertThat(info.version()).isEqualTo("1.2.3");
                assertThat(info.description()).isEqualTo("finds");
                assertThat(info.metadata()).containsEntry("owner", "tests");
                assertThat(info.endpoints()).singleElement().satisfies(endpoint -> {
                    assertThat(endpoint.name()).isEqualTo("upper");
                    assertThat(endpoint.subject()).isEqualTo("finder.upper");
                    assertThat(endpoint.queueGroup()).isEqualTo("workers");
                    assertThat(endpoint.metadata()).containsEntry("subject", "finder.upper");
                });
            });
            assertThat(answers.unreadable()).hasSize(2)
                    .anySatisfy(problem -> assertThat(problem).contains("\"this is not a service\""))
                    .anySatisfy(problem -> assertThat(problem).contains("not an io.nats.micro.v1.info_response")
                            .contains("pinger"));
        } finally {
            service.stop(false, Duration.ZERO);
            nats.closeDispatcher(foreign);
            nats.closeDispatcher(pinging);
            nats.flush(Duration.ofSeconds(5));
        }
    }

    @Test
    void atMostMaxServicesAreCollected() throws Exception {
        List<MicroService> services = List.of(
                new MicroService(nats, "one", "1.0.0", "", Map.of(), List.of()),
                new MicroService(nats, "two", "1.0.0", "", Map.of(), List.of()),
                new MicroService(nats, "three", "1.0.0", "", Map.of(), List.of()));
        try {
            services.forEach(MicroService::start);
            nats.flush(Duration.ofSeconds(5));

            assertThat(ServiceDiscovery.info(nats, WINDOW, 100).services()).hasSize(3);
            assertThat(ServiceDiscovery.info(nats, WINDOW, 2).services()).hasSize(2);
        } finally {
            services.forEach(service -> service.stop(false, Duration.ZERO));
            nats.flush(Duration.ofSeconds(5));
        }
    }

    @Test
    void statsCarryEachEndpointsLastSecondsWithTheRequestIdsOfItsErrors() throws Exception {
        MicroService.Endpoint endpoint = new MicroService.Endpoint("upper", "counted.upper", "workers",
                Map.of("subject", "counted.upper"), (message, answered) -> {});
        MicroService service = new MicroService(nats, "counted", "1.0.0", "counts", Map.of("owner", "tests"), List.of(endpoint));
        try {
            service.start();
            endpoint.record(2_000_000, null, "ok-1");
            endpoint.record(30_000_000, "422 refused", "bad-1");
            nats.flush(Duration.ofSeconds(5));

            ServiceDiscovery.StatsAnswers answers = ServiceDiscovery.stats(nats, WINDOW, 100);

            ServiceDiscovery.EndpointStats stats = answers.services().stream()
                    .filter(answer -> answer.name().equals("counted")).findFirst().orElseThrow().endpoints().getFirst();
            assertThat(stats.requests()).isEqualTo(2);
            assertThat(stats.errors()).isEqualTo(1);
            assertThat(stats.data().requests()).isEqualTo(2);
            assertThat(stats.data().quantileMs(1.0)).isLessThanOrEqualTo(50.0);
            assertThat(stats.data().lastErrors()).singleElement().satisfies(error -> {
                assertThat(error.requestId()).isEqualTo("bad-1");
                assertThat(error.error()).isEqualTo("422 refused");
            });
        } finally {
            service.stop(false, Duration.ofSeconds(1));
        }
    }
}

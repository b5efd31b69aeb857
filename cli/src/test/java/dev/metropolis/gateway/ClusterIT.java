package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.cluster.HostProcess;
import dev.metropolis.cluster.Load;
import dev.metropolis.cluster.NatsCluster;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.nats.NoResponders;
import dev.metropolis.nats.ServiceDiscovery;
import dev.metropolis.testkit.Await;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out with nothing mocked: a 3-node nats-server cluster, two hosts as separate processes
 * (each given all three URLs), the gateway in-process on a node neither host uses, and clients
 * sending continuously through the gateway and directly over NATS while a NATS node crashes and a
 * host is stopped. The tests run in order on one set of processes: starting a host takes seconds.
 * An integration test (Failsafe, {@code *IT}): it kills processes and starts a cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Path LOGS = Path.of("target", "cluster-test").toAbsolutePath();
    private static final String TASK = "echo";
    private static final String SUBJECT = "cluster.echo";
    private static final Duration DRAIN = Duration.ofSeconds(5);
    private static final int CLIENTS = 4;
    /** Requests per load that show it flows: about a second's worth at 4 clients and 5 ms a call. */
    private static final int FLOWING = 300;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<HostProcess> hosts = new ArrayList<>();
    private NatsCluster cluster;
    private int gatewayNode;
    private Gateway gateway;
    private Connection client;

    /** A failed test prints the hosts' logs: what they saw of the crash or the stop. */
    @RegisterExtension
    final TestWatcher hostLogsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            hosts.forEach(host -> System.out.println(host.describe()));
        }
    };

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        // 5 ms of work per call, so a crash or a stop always finds calls in flight.
        Files.writeString(scripts.resolve("echo.js"), """
                // /// metropolis
                // subject = "cluster.echo"
                // timeout = "1s"
                // concurrency = 4
                // ///
                export function handle(body) {
                  const end = Date.now() + 5;
                  while (Date.now() < end) { /* work */ }
                  return body;
                }
                """);
        cluster = NatsCluster.start(3, LOGS);
        for (String name : List.of("host-a", "host-b")) {
            // Each lists the servers from a different one; the client shuffles them anyway.
            hosts.add(HostProcess.start(name, scripts, cluster.urls(hosts.size()), DRAIN, LOGS));
        }
        for (HostProcess host : hosts) {
            host.awaitReady(Duration.ofSeconds(120));
        }
        int[] hostsOn = IntStream.range(0, cluster.size()).map(node -> cluster.connections(node, "metropolis-host")).toArray();
        gatewayNode = IntStream.range(0, cluster.size()).filter(node -> hostsOn[node] == 0).findFirst().orElseThrow();
        System.out.printf("hosts per NATS node: %s; the gateway and the clients use node %d%n", Arrays.toString(hostsOn),
                gatewayNode);
        NatsSettings gatewayNats = NatsSettings.of(cluster.url(gatewayNode));
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, gatewayNats, 64 * 1024, 256, Duration.ofSeconds(1),
                Duration.ofSeconds(5))).start();
        client = Nats.connect(Options.builder().server(cluster.url(gatewayNode)).reportNoResponders().build());
        await(Duration.ofSeconds(30), "both hosts in discovery and the route in the gateway", () -> {
            gateway.refreshRoutes();
            return instances() == 2 && gateway.routes().routes().stream().anyMatch(route -> route.task().equals(TASK));
        });
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (client != null) {
            client.close();
        }
        for (HostProcess host : hosts) {
            host.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void bothHostsAnswer() throws Exception {
        long[] before = answered();
        for (int i = 0; i < 200; i++) {
            natsEcho("direct-" + i);
            gatewayEcho("PUT", "gateway-" + i, "10s");
        }
        long[] after = answered();
        System.out.printf("400 requests answered by host-a %d, host-b %d%n", after[0] - before[0], after[1] - before[1]);
        assertThat(instances()).isEqualTo(2);
        for (int i = 0; i < hosts.size(); i++) {
            assertThat(after[i]).as("requests %s answered", hosts.get(i).name()).isGreaterThan(before[i]);
        }
    }

    @Test
    @Order(2)
    void aCrashedNatsServerLosesAtMostTheRequestsInFlight() throws Exception {
        int crashed = IntStream.range(0, cluster.size()).filter(node -> cluster.connections(node, "metropolis-host") > 0)
                .findFirst().orElseThrow();
        Load direct = Load.start("direct NATS", CLIENTS, this::natsEcho);
        // Request-Timeout longer than the task's 1 s: room to retry a request lost with the server.
        Load viaGateway = Load.start("gateway PUT", CLIENTS, body -> gatewayEcho("PUT", body, "10s"));
        awaitFlowing(direct, viaGateway);
        cluster.kill(crashed);
        // The server stays down until both hosts have failed over to the others and requests are
        // answered again without it: what the restart must not hide.
        int[] survivors = IntStream.range(0, cluster.size()).filter(node -> node != crashed).toArray();
        await(Duration.ofSeconds(30), "both hosts reconnected to the servers left", () ->
                IntStream.of(survivors).map(node -> cluster.connections(node, "metropolis-host")).sum() == hosts.size());
        awaitFlowing(direct, viaGateway);
        cluster.restart(crashed);
        await(Duration.ofSeconds(30), "both hosts in discovery again", () -> instances() == 2);
        long[] afterRestart = answered();
        await(Duration.ofSeconds(30), "both hosts to answer after the restart", () -> {
            long[] now = answered();
            return now[0] > afterRestart[0] && now[1] > afterRestart[1];
        });
        direct.stop();
        viaGateway.stop();
        System.out.printf("NATS node %d crashed (SIGKILL) and restarted: %s; %s (the gateway retried %s lost request(s))%n",
                crashed, direct.summary(), viaGateway.summary(), gatewayRetries("timeout"));

        assertThat(hosts.stream().anyMatch(host -> host.describe().contains("NATS reconnected to")))
                .as("a host logged its reconnection").isTrue();
        assertThat(direct.failed()).as(direct.summary()).isLessThanOrEqualTo(direct.clients());
        assertThat(viaGateway.failed()).as(viaGateway.summary()).isZero();
        assertThat(direct.sent() + viaGateway.sent()).isGreaterThan(100);
    }

    @Test
    @Order(3)
    void aStoppedHostLosesNothing() throws Exception {
        HostProcess leaving = hosts.get(1);
        HostProcess staying = hosts.get(0);
        Load direct = Load.start("direct NATS", CLIENTS, this::natsEcho);
        Load viaGateway = Load.start("gateway POST", CLIENTS, body -> gatewayEcho("POST", body, null));
        awaitFlowing(direct, viaGateway);
        long sentBeforeStop = direct.sent() + viaGateway.sent();
        int exitCode = leaving.terminate(DRAIN.plusSeconds(5));
        long stayingAfterExit = staying.answered(TASK);
        long sentAfterExit = direct.sent() + viaGateway.sent();
        // Requests keep coming after the exit, until the gateway's discovery has seen the host go
        // (its rounds ran) and a few hundred more were sent: all of them must reach the host left.
        await(Duration.ofSeconds(30), "the gateway to route to one instance only", () -> gateway.routes().routes().stream()
                .anyMatch(route -> route.task().equals(TASK) && route.instances() == 1));
        long sentAtDiscovery = direct.sent() + viaGateway.sent();
        await(Duration.ofSeconds(30), "requests sent after the gateway saw the host go", () ->
                direct.sent() + viaGateway.sent() >= sentAtDiscovery + FLOWING);
        direct.stop();
        viaGateway.stop();
        long sentSinceExit = direct.sent() + viaGateway.sent() - sentAfterExit;
        System.out.printf("%s stopped (SIGTERM) with exit code %d: %s; %s%n", leaving.name(), exitCode, direct.summary(),
                viaGateway.summary());

        assertThat(exitCode).as(leaving.describe()).isZero();
        assertThat(direct.failed()).as(direct.summary()).isZero();
        assertThat(viaGateway.failed()).as(viaGateway.summary()).isZero();
        assertThat(sentAfterExit).isGreaterThan(sentBeforeStop);
        assertThat(instances()).isEqualTo(1);
        assertThat(staying.answered(TASK) - stayingAfterExit).as("the remaining host took every request")
                .isGreaterThanOrEqualTo(sentSinceExit - 2L * CLIENTS);
    }

    /**
     * A direct NATS request, as a well-behaved client sends it: "no responders" (the message reached
     * nobody) is sent again after a pause; anything else that is not the echo is a failure.
     */
    private void natsEcho(String body) {
        Message reply = Await.value(Duration.ofSeconds(3), "a host to receive '" + body + "'", () -> natsRequest(body),
                answer -> true);
        String text = new String(reply.getData(), StandardCharsets.UTF_8);
        if (!text.equals(body)) {
            throw new AssertionError("expected '" + body + "', got '" + text + "' (headers " + reply.getHeaders() + ")");
        }
    }

    /**
     * One direct request: its reply, or null when it reached nobody (no responders), so that
     * {@link #natsEcho} sends it again. Any other failure is an AssertionError, which ends the wait at once.
     */
    private Message natsRequest(String body) throws InterruptedException {
        Headers headers = new Headers().put("Content-Type", "text/plain");
        try {
            return client.requestWithTimeout(SUBJECT, headers, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2))
                    .get(3, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (NoResponders.is(e.getCause())) {
                return null;
            }
            throw new AssertionError("request '" + body + "' failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("request '" + body + "' got no reply", e);
        }
    }

    private void gatewayEcho(String method, String body, String requestTimeout) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/cluster/echo"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "text/plain")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (requestTimeout != null) {
            request.header("Request-Timeout", requestTimeout);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || !response.body().equals(body)) {
            throw new AssertionError(method + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** The gateway's metropolis_gateway_retries_total lines for {@code reason}, as Prometheus text. */
    private String gatewayRetries(String reason) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/observe/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("metropolis_gateway_retries_total{")
                && line.contains("reason=\"" + reason + "\"")).map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .findFirst().orElse("0");
    }

    /** The instances of the echo service that answer $SRV.INFO now (none at all is 0, not an error). */
    private int instances() {
        try {
            return (int) ServiceDiscovery.info(client, Duration.ofMillis(500), 10).services().stream()
                    .filter(service -> service.name().equals(TASK)).count();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private long[] answered() {
        return hosts.stream().filter(HostProcess::isAlive).mapToLong(host -> host.answered(TASK)).toArray();
    }

    private static void await(Duration timeout, String what, Await.Condition condition) {
        Await.until(timeout, what, condition);
    }

    /** Waits until both loads have had {@link #FLOWING} more requests through: traffic runs at full speed. */
    private static void awaitFlowing(Load direct, Load viaGateway) {
        long directBefore = direct.sent();
        long gatewayBefore = viaGateway.sent();
        await(Duration.ofSeconds(30), "requests flowing directly and through the gateway", () ->
                direct.sent() >= directBefore + FLOWING && viaGateway.sent() >= gatewayBefore + FLOWING);
    }
}

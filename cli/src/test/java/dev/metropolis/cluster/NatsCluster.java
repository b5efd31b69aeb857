package dev.metropolis.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A cluster of nats-servers on 127.0.0.1 joined by real cluster routes, each with a monitoring
 * port: tests kill one (SIGKILL) and start it again on the same ports. Each server's log is kept
 * in {@code logs}.
 */
public final class NatsCluster implements AutoCloseable {
    private static final Duration ROUTES_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The ports of one server: clients, routes, monitoring. */
    private record Ports(int client, int route, int monitor) {}

    private final String name;
    private final List<Ports> ports;
    private final LocalNatsServer[] servers;
    private final Path logs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private NatsCluster(String name, List<Ports> ports, Path logs) {
        this.name = name;
        this.ports = ports;
        this.servers = new LocalNatsServer[ports.size()];
        this.logs = logs;
    }

    /** Starts {@code size} servers and returns once every one has a route to every other. */
    public static NatsCluster start(int size, Path logs) throws IOException {
        Files.createDirectories(logs);
        List<Ports> ports = IntStream.range(0, size).mapToObj(i -> new Ports(FreePort.next(), FreePort.next(), FreePort.next())).toList();
        NatsCluster cluster = new NatsCluster("metropolis-test", ports, logs);
        try {
            for (int i = 0; i < size; i++) {
                cluster.startNode(i);
            }
            cluster.awaitRoutes();
            return cluster;
        } catch (IOException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startNode(int node) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("-n", "node-" + node, "-m", String.valueOf(ports.get(node).monitor()),
                "--cluster_name", name, "-cluster", "nats://127.0.0.1:" + ports.get(node).route()));
        String routes = String.join(",", IntStream.range(0, ports.size()).filter(other -> other != node)
                .mapToObj(other -> "nats://127.0.0.1:" + ports.get(other).route()).toList());
        arguments.addAll(List.of("-routes", routes));
        servers[node] = LocalNatsServer.start(ports.get(node).client(), arguments, logs.resolve("nats-" + node + ".log"),
                System.getenv());
    }

    /** The client URL of one server. */
    public String url(int node) {
        return "nats://127.0.0.1:" + ports.get(node).client();
    }

    /** Every client URL, starting with {@code first}'s: a client's preferred server comes first. */
    public String urls(int first) {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            urls.add(url((first + i) % ports.size()));
        }
        return String.join(",", urls);
    }

    public int size() {
        return ports.size();
    }

    /** Kills one server with SIGKILL, as a crash would. */
    public void kill(int node) throws InterruptedException {
        servers[node].kill();
        servers[node] = null;
    }

    /** Starts a killed server again on the same ports and waits until its routes are back. */
    public void restart(int node) throws IOException {
        startNode(node);
        awaitRoutes();
    }

    /** How many client connections named {@code connectionName} a server has now (its /connz). */
    public int connections(int node, String connectionName) {
        int count = 0;
        for (JsonNode connection : monitor(node, "/connz?limit=1024").path("connections")) {
            if (connection.path("name").asText().equals(connectionName)) {
                count++;
            }
        }
        return count;
    }

    /** Waits until every running server has a route to every other running server. */
    public void awaitRoutes() {
        long running = Arrays.stream(servers).filter(Objects::nonNull).count();
        for (int node = 0; node < servers.length; node++) {
            if (servers[node] == null) {
                continue;
            }
            int server = node;
            Await.until(ROUTES_TIMEOUT, "nats-server node-" + node + " to have " + (running - 1) + " route(s) (logs in "
                    + logs + ")", () -> monitor(server, "/routez").path("num_routes").asInt() >= running - 1);
        }
    }

    private JsonNode monitor(int node, String path) {
        URI uri = URI.create("http://127.0.0.1:" + ports.get(node).monitor() + path);
        try {
            return JSON.readTree(http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + uri, e);
        }
    }

    @Override
    public void close() {
        for (int node = 0; node < servers.length; node++) {
            if (servers[node] != null) {
                servers[node].close();
                servers[node] = null;
            }
        }
    }
}

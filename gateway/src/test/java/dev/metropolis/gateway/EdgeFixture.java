package dev.metropolis.gateway;

import dev.metropolis.task.TaskMetadata;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.TestNats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real nats-server, tasks announced by plain jnats that answer "ok", and a gateway with a given
 * edge in front of them: what the edge tests share. Closing it stops all three.
 */
final class EdgeFixture implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> resources = new ArrayList<>();
    final TestNats nats;
    final Map<String, FakeTask> tasks = new java.util.LinkedHashMap<>();
    Gateway gateway;

    private EdgeFixture() throws Exception {
        nats = TestNats.start();
        resources.add(nats);
    }

    /** Starts NATS and the tasks, each announcing its policy ("" for none): task name -> policy. */
    static EdgeFixture withTasks(Map<String, String> policies) throws Exception {
        EdgeFixture fixture = new EdgeFixture();
        for (var task : policies.entrySet()) {
            Map<String, String> metadata = task.getValue().isEmpty() ? Map.of() : Map.of(TaskMetadata.AUTH, task.getValue());
            FakeTask fake = FakeTask.answering(fixture.nats, task.getKey(), task.getKey() + ".call", metadata);
            fixture.tasks.put(task.getKey(), fake);
            fixture.resources.add(fake);
        }
        return fixture;
    }

    /** Adds an answering task on {@code subject} with service and endpoint metadata of its own; before {@link #start}. */
    EdgeFixture withTask(String task, String subject, Map<String, String> metadata, Map<String, String> endpointMetadata)
            throws Exception {
        FakeTask fake = FakeTask.answering(nats, task, subject, metadata, endpointMetadata);
        tasks.put(task, fake);
        resources.add(fake);
        return this;
    }

    /** Starts the gateway with {@code edge} and waits until it routes to every task. */
    EdgeFixture start(EdgeConfig edge, Map<String, String> env) {
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, nats.settings(), 1 << 20, 64, Duration.ofSeconds(60),
                Duration.ofSeconds(1), edge)).environment(env).start();
        resources.add(gateway);
        Await.until(Duration.ofSeconds(15), "the gateway to discover " + tasks.keySet(), () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().stream().map(TaskRoute::task).toList().containsAll(tasks.keySet());
        });
        return this;
    }

    /** An auth file holding {@code json}, in a fresh temporary folder. */
    static Path authFile(String json) throws IOException {
        Path file = Files.createTempDirectory("metropolis-auth").resolve("auth.json");
        Files.writeString(file, json);
        return file;
    }

    /** A request to {@code path} on the gateway. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(10));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs "hi" to {@code task}'s route with the given headers (name, value, name, value ...). */
    HttpResponse<String> call(String task, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = request("/" + task + "/call").POST(HttpRequest.BodyPublishers.ofString("hi"));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }
}

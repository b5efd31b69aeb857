package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous invocation end to end: a real nats-server with JetStream, a real host running
 * GraalPy, the gateway over real sockets, and a JDK HttpServer receiving callbacks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class JobsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestNats server;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private Connection nats;
    private HttpServer receiver;
    private final List<JsonNode> callbacks = new CopyOnWriteArrayList<>();
    /** The callback receiver answers 503 this many times before taking one. */
    private final AtomicInteger refusals = new AtomicInteger(1);

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        Files.writeString(scripts.resolve("shout.py"), """
                # /// metropolis
                # subject = "text.shout"
                # timeout = "5s"
                # ///
                import metropolis

                def handle(body, msg):
                    if body == "refuse":
                        raise metropolis.TaskError("will not shout that", code=422)
                    return body.upper() + "!"
                """);
        Files.writeString(scripts.resolve("resize.py"), """
                # /// metropolis
                # subject = "images.resize"
                # async = true
                # ///
                def handle(body, msg):
                    return {"resized": body["name"], "job": msg.headers.get("Metropolis-Job-Id")}
                """);
        Files.writeString(scripts.resolve("ledger.py"), """
                # /// metropolis
                # stream = "LEDGER"
                # subject = "ledger.entries"
                # ///
                def handle(body, msg):
                    pass
                """);
        server = TestNats.start();
        engines = new Engines();
        host = Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(5)), engines).start();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, server.settings(), 1 << 20, 64, Duration.ofSeconds(1),
                Duration.ofSeconds(2))).start();
        nats = server.connect();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = refusals.getAndDecrement() > 0 ? 503 : 204;
            if (status == 204) {
                callbacks.add(JSON.readTree(body));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        Await.until(Duration.ofSeconds(20), "the gateway to discover the tasks", () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().size() >= 2 && !gateway.routes().triggered().isEmpty();
        });
    }

    @AfterAll
    void stop() throws Exception {
        if (receiver != null) {
            receiver.stop(0);
        }
        Closing.closeAll(nats, gateway, host, engines, server);
    }

    private HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(15));
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> submit(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = to(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    /** Polls {@code GET /jobs/{id}} until the job is finished; returns its last state. */
    private JsonNode finished(String location) throws Exception {
        JsonNode[] last = new JsonNode[1];
        Await.until(Duration.ofSeconds(30), "job " + location + " to finish", () -> {
            HttpResponse<String> response = send(to(location).GET().build());
            assertThat(response.statusCode()).isEqualTo(200);
            last[0] = JSON.readTree(response.body());
            return last[0].get("state").asText().matches("succeeded|failed");
        });
        return last[0];
    }

    @Test
    void preferRespondAsyncAnswers202AtOnceAndTheJobSucceedsWithTheTasksReply() throws Exception {
        HttpResponse<String> accepted = submit("/text/shout", "hello", "Prefer", "respond-async");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/jobs/");
        assertThat(accepted.headers().firstValue("Preference-Applied")).contains("respond-async");
        JsonNode submitted = JSON.readTree(accepted.body());
        assertThat(submitted.get("id").asText()).isEqualTo(location.substring("/jobs/".length()));
        assertThat(submitted.get("state").asText()).isIn("queued", "running", "succeeded");

        JsonNode job = finished(location);
        assertThat(job.get("state").asText()).isEqualTo("succeeded");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("task").asText()).isEqualTo("shout");
        assertThat(job.get("created").asText()).isNotEmpty();
        assertThat(job.get("started").asText()).isNotEmpty();
        assertThat(job.get("finished").asText()).isNotEmpty();
        assertThat(job.get("reply").get("status").asInt()).isEqualTo(200);
        assertThat(job.get("reply").get("body").asText()).isEqualTo("HELLO!");
    }

    @Test
    void aRouteDeclaredAsyncAnswers202WithoutBeingAskedAndTheTaskSeesItsJobId() throws Exception {
        HttpResponse<String> accepted = submit("/images/resize", "{\"name\": \"cat.png\"}", "Content-Type", "application/json");
        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonNode job = finished(accepted.headers().firstValue("Location").orElseThrow());
        JsonNode reply = JSON.readTree(job.get("reply").get("body").asText());
        assertThat(reply.get("resized").asText()).isEqualTo("cat.png");
        assertThat(reply.get("job").asText()).isEqualTo(job.get("id").asText());
    }

    @Test
    void aTaskErrorFailsTheJobWithTheErrorAsItsReplyAndIsNotRetried() throws Exception {
        HttpResponse<String> accepted = submit("/text/shout", "refuse", "Prefer", "respond-async");
        JsonNode job = finished(accepted.headers().firstValue("Location").orElseThrow());
        assertThat(job.get("state").asText()).isEqualTo("failed");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("reply").get("status").asInt()).isEqualTo(422);
        assertThat(JSON.readTree(job.get("reply").get("body").asText()).get("error").asText()).isEqualTo("will not shout that");
    }

    @Test
    void theCallbackUrlGetsTheResultPostedAndRetriedAfterARefusal() throws Exception {
        refusals.set(1);
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        HttpResponse<String> accepted = submit("/text/shout", "call me", "Prefer", "respond-async", "X-Callback-Url", url);
        String id = JSON.readTree(accepted.body()).get("id").asText();
        Await.until(Duration.ofSeconds(30), "the callback of job " + id,
                () -> callbacks.stream().anyMatch(callback -> callback.get("id").asText().equals(id)));
        JsonNode callback = callbacks.stream().filter(c -> c.get("id").asText().equals(id)).findFirst().orElseThrow();
        assertThat(callback.get("state").asText()).isEqualTo("succeeded");
        assertThat(callback.get("reply").get("body").asText()).isEqualTo("CALL ME!");
        assertThat(refusals.get()).isNegative(); // the first POST was refused, a later one taken
    }

    @Test
    void aCallbackUrlThatIsNotHttpIsRefusedInTheErrorFormat() throws Exception {
        HttpResponse<String> refused = submit("/text/shout", "x", "Prefer", "respond-async", "X-Callback-Url", "file:///etc/passwd");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("error").asText()).contains("X-Callback-Url must be an absolute http://");
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstJob() throws Exception {
        String key = "order-" + System.nanoTime();
        HttpResponse<String> first = submit("/text/shout", "once", "Prefer", "respond-async", "Idempotency-Key", key);
        HttpResponse<String> again = submit("/text/shout", "once", "Prefer", "respond-async", "Idempotency-Key", key);
        HttpResponse<String> other = submit("/text/shout", "once", "Prefer", "respond-async");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(other.headers().firstValue("Location")).isNotEqualTo(first.headers().firstValue("Location"));
    }

    @Test
    void anUnknownJobIs404InTheErrorFormat() throws Exception {
        HttpResponse<String> missing = send(to("/jobs/nosuchjob").GET().build());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("no job 'nosuchjob'");
    }

    @Test
    void natsCallersSubmitAndReadJobsOnTheirSubjects() throws Exception {
        Headers headers = new Headers().put("Idempotency-Key", "nats-" + System.nanoTime());
        Message submitted = nats.request("$MTR.JOBS.submit.text.shout", headers, "over nats".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        JsonNode job = JSON.readTree(submitted.getData());
        String id = job.get("id").asText();
        assertThat(job.get("location").asText()).isEqualTo("/jobs/" + id);
        Message again = nats.request("$MTR.JOBS.submit.text.shout", headers, "over nats".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        assertThat(JSON.readTree(again.getData()).get("id").asText()).isEqualTo(id);
        JsonNode[] last = new JsonNode[1];
        Await.until(Duration.ofSeconds(30), "job " + id + " to succeed over NATS", () -> {
            last[0] = JSON.readTree(nats.request("$MTR.JOBS.get." + id, new byte[0], Duration.ofSeconds(5)).getData());
            return last[0].get("state").asText().equals("succeeded");
        });
        assertThat(last[0].get("reply").get("body").asText()).isEqualTo("OVER NATS!");
        Message unknown = nats.request("$MTR.JOBS.submit.no.such.task", new byte[0], Duration.ofSeconds(10));
        assertThat(unknown.getHeaders().getFirst("Nats-Service-Error-Code")).isEqualTo("404");
    }

    @Test
    void getTasksShowsEveryTasksTriggerAndTheAsyncRoutes() throws Exception {
        JsonNode tasks = JSON.readTree(send(to("/tasks").GET().build()).body()).get("tasks");
        JsonNode ledger = find(tasks, "ledger");
        assertThat(ledger.get("trigger").asText()).startsWith("stream LEDGER");
        assertThat(ledger.has("route")).isFalse();
        assertThat(find(tasks, "shout").get("trigger").asText()).isEqualTo("request");
        assertThat(find(tasks, "resize").get("async").asBoolean()).isTrue();
        assertThat(find(tasks, "shout").has("async")).isFalse();
    }

    @Test
    void jobsByStateAppearOnTheGatewaysMetrics() throws Exception {
        finished(submit("/text/shout", "count me", "Prefer", "respond-async").headers().firstValue("Location").orElseThrow());
        String metrics = send(to("/observe/metrics").GET().build()).body();
        assertThat(metrics).containsPattern("metropolis_gateway_jobs_total\\{[^}]*state=\"queued\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("metropolis_gateway_jobs_total\\{[^}]*state=\"running\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("metropolis_gateway_jobs_total\\{[^}]*state=\"succeeded\"[^}]*} [1-9]");
    }

    private static JsonNode find(JsonNode tasks, String task) {
        for (JsonNode node : tasks) {
            if (node.get("task").asText().equals(task)) {
                return node;
            }
        }
        throw new AssertionError("no task " + task + " in " + tasks);
    }
}

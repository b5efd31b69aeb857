package dev.metropolis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.gateway.Gateway;
import dev.metropolis.gateway.GatewayConfig;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original Metropolis workers (examples/metropolis-python) through a real host and gateway over
 * HTTP: the curls, {@code GET /tasks}, and a native task beside them unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LegacyWorkersEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("..", "examples", "metropolis-python").toAbsolutePath().normalize();

    private TestNats server;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void start(@TempDir Path scripts) throws Exception {
        Files.copy(EXAMPLES.resolve("readme/worker.py"), scripts.resolve("snippet.py"));
        Files.copy(EXAMPLES.resolve("app/worker.py"), scripts.resolve("worker.py"));
        Files.copy(EXAMPLES.resolve("app/settings.py"), scripts.resolve("settings.py"));
        Files.writeString(scripts.resolve("native.py"), """
                # /// metropolis
                # subject = "native.get"
                # ///
                def handle(body, msg):
                    return {"got": body}
                """);
        Files.writeString(scripts.resolve("second.py"), """
                from metropolis import Worker

                worker = Worker(nats='nats://localhost:4222')

                @worker.task(subject='foo.get.w2', queue='worker')
                def shout(data, *args, **kwargs):
                    return data[0].upper()
                """);
        server = TestNats.start();
        engines = new Engines();
        host = Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(2)), engines).start();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, server.settings(), 64 * 1024, 64, Duration.ofMillis(200),
                Duration.ofSeconds(2))).start();
        Await.until(Duration.ofSeconds(30), "the gateway to route the tasks", () -> gateway.routes().routes().size() >= 5);
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(gateway, host, engines, server);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSnippetAnswersAtItsSubjectsPathWithTheEnvelopesData() throws Exception {
        HttpResponse<String> response = get("/foo/bar?data=abc");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"cba\"");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void theExampleAppAnswersTheOriginalGatewaysRoute() throws Exception {
        HttpResponse<String> response = get("/foo?data=hello");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"olleh\"");
        assertThat(get("/foo/get?data=hello").body()).isEqualTo("\"olleh\"");
    }

    @Test
    void theWorkerParameterChoosesTheSubjectAsTheOriginalsGatewayDid() throws Exception {
        HttpResponse<String> second = get("/foo?data=hello&_worker=w2");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("\"HELLO\""); // shout(data=["hello"]): _worker is not an argument

        HttpResponse<String> unserved = get("/foo?data=hello&_worker=w9");
        assertThat(unserved.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unserved.body()).get("error").asText()).startsWith("no task serves subject foo.get.w9");
        assertThat(get("/native/get?data=abc&_worker=w2").body()).isEqualTo("{\"got\":{\"data\":\"abc\",\"_worker\":\"w2\"}}");
    }

    @Test
    void anAsynchronousJobKeepsTheEnvelopesDataAndCodeAsItsReply() throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                + "/foo/bar")).header("Prefer", "respond-async").POST(HttpRequest.BodyPublishers.ofString("{\"data\": [\"abc\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();

        JsonNode job = Await.value(Duration.ofSeconds(30), "job " + location + " to finish",
                () -> JSON.readTree(get(location).body()), state -> state.get("state").asText().matches("succeeded|failed"));

        assertThat(job.get("state").asText()).isEqualTo("succeeded");
        assertThat(job.get("reply").get("status").asInt()).isEqualTo(200);
        assertThat(job.get("reply").get("body").asText()).isEqualTo("\"cba\"");
    }

    @Test
    void theEnvelopesCodeIsTheStatus() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                + "/foo/get")).POST(HttpRequest.BodyPublishers.ofString("{\"data\": []}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(500); // [][0] raises IndexError: the original's {"code": 500}
        assertThat(response.body()).isEqualTo("\"list index out of range\"");
    }

    @Test
    void unexpectedQueryArgumentsAreA400NamingThem() throws Exception {
        HttpResponse<String> response = get("/foo/bar");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("mytask() needs the keys 'data'");
    }

    @Test
    void aNativeTaskKeepsItsRoutesAndBodies() throws Exception {
        assertThat(get("/native/get?data=abc").body()).isEqualTo("{\"got\":{\"data\":\"abc\"}}");
        assertThat(get("/native?data=abc").statusCode()).isEqualTo(404);
    }

    @Test
    void theRoutesAreListedWithTheirWire() throws Exception {
        JsonNode tasks = JSON.readTree(get("/tasks").body()).get("tasks");

        assertThat(StreamSupport.stream(tasks.spliterator(), false)
                .filter(task -> "envelope".equals(task.path("wire").asText(null)))
                .map(task -> task.get("route").asText()))
                .containsExactlyInAnyOrder("* /foo/bar", "* /foo/get", "GET /foo", "* /foo/get/w2");
        assertThat(StreamSupport.stream(tasks.spliterator(), false).filter(task -> task.get("task").asText().equals("native")))
                .singleElement().satisfies(task -> assertThat(task.has("wire")).isFalse());
    }
}

package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.errorCode;
import static dev.metropolis.host.TestSupport.request;
import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.ServiceDiscovery;
import dev.metropolis.testkit.Await;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input schemas on a real host: a Python and a JS task with an input schema (one from a file),
 * messages that break it answered 422 with every violation before any guest code runs, and the
 * schemas published on the endpoints' {@code $SRV.INFO} metadata.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class InputSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private RunningHost running;
    private Path scripts;

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        scripts = folder;
        Files.createDirectories(folder.resolve("schemas"));
        Files.writeString(folder.resolve("schemas/order.json"), """
                {"type": "object", "required": ["item", "qty"],
                 "properties": {"item": {"type": "string", "minLength": 1}, "qty": {"type": "integer", "minimum": 1}}}
                """);
        // The task counts its calls: a refused input must never reach it.
        Files.writeString(folder.resolve("order.py"), """
                # /// metropolis
                # subject = "shop.order"
                # input = "schemas/order.json"
                # output = { type = "object" }
                # ///
                calls = 0
                def handle(body, msg):
                    global calls
                    calls += 1
                    return {"item": body["item"], "qty": body["qty"], "calls": calls}
                """);
        Files.writeString(folder.resolve("greet.js"), """
                // /// metropolis
                // subject = "greet.hello"
                // [input]
                // type = "string"
                // maxLength = 5
                // ///
                export function handle(body) { return 'hello ' + body; }
                """);
        running = RunningHost.start(folder, true);
    }

    @AfterAll
    void stop() throws Exception {
        running.close();
    }

    @Test
    void aConformingInputRunsTheTask() throws Exception {
        Message reply = request(running.nats, "shop.order", "{\"item\": \"tea\", \"qty\": 2}");
        assertThat(JSON.readTree(text(reply)).get("item").asText()).isEqualTo("tea");
        assertThat(text(request(running.nats, "greet.hello", "ada"))).isEqualTo("hello ada");
    }

    @Test
    void aViolationIs422WithEveryPointerAndRuleAndTheTaskNeverRuns() throws Exception {
        int before = JSON.readTree(text(request(running.nats, "shop.order", "{\"item\": \"x\", \"qty\": 1}"))).get("calls").asInt();

        Message reply = request(running.nats, "shop.order", "{\"item\": \"\", \"qty\": 0, \"extra\": true}");

        assertThat(errorCode(reply)).isEqualTo(422);
        JsonNode body = JSON.readTree(text(reply));
        assertThat(body.get("kind").asText()).isEqualTo("invalid_input");
        assertThat(body.get("error").asText()).startsWith("the input does not match the input schema of task 'order': ")
                .contains("/item: minLength:").contains("/qty: minimum:");
        assertThat(body.get("violations").findValuesAsText("pointer")).containsExactlyInAnyOrder("/item", "/qty");
        assertThat(body.get("violations").findValuesAsText("rule")).containsExactlyInAnyOrder("minLength", "minimum");
        assertThat(reply.getHeaders().getFirst("Nats-Service-Error-Code")).isEqualTo("422");

        Message missing = request(running.nats, "shop.order", "{\"qty\": 1}");
        assertThat(JSON.readTree(text(missing)).get("violations").get(0).get("rule").asText()).isEqualTo("required");
        int after = JSON.readTree(text(request(running.nats, "shop.order", "{\"item\": \"x\", \"qty\": 1}"))).get("calls").asInt();
        assertThat(after).isEqualTo(before + 1); // only the two conforming calls ran
    }

    @Test
    void textIsCheckedAsAStringAndBytesAreRefused() throws Exception {
        Message tooLong = request(running.nats, "greet.hello", "everybody");
        assertThat(errorCode(tooLong)).isEqualTo(422);
        assertThat(JSON.readTree(text(tooLong)).get("violations").get(0).get("rule").asText()).isEqualTo("maxLength");

        Message bytes = request(running.nats, "greet.hello", new Headers().put("Content-Type", "application/octet-stream"),
                "ada".getBytes(StandardCharsets.UTF_8));
        assertThat(errorCode(bytes)).isEqualTo(422);
        assertThat(text(bytes)).contains("the body is binary");

        Message badJson = request(running.nats, "shop.order", new Headers().put("Content-Type", "application/json"),
                "{\"item\":".getBytes(StandardCharsets.UTF_8));
        assertThat(errorCode(badJson)).isEqualTo(400);
        assertThat(JSON.readTree(text(badJson)).get("kind").asText()).isEqualTo("bad_payload");
    }

    @Test
    void schemasArePublishedOnEachEndpoint() throws Exception {
        ServiceDiscovery.EndpointInfo endpoint = endpoint("order");
        assertThat(JSON.readTree(endpoint.metadata().get("metropolis.input")).get("required").toString())
                .isEqualTo("[\"item\",\"qty\"]");
        assertThat(endpoint.metadata().get("metropolis.output")).isEqualTo("{\"type\":\"object\"}");
        assertThat(endpoint("greet").metadata()).containsKey("metropolis.input").doesNotContainKey("metropolis.output");
    }

    @Test
    void editingTheSchemaFileReloadsTheTask() throws Exception {
        Files.writeString(scripts.resolve("schemas/order.json"), """
                {"type": "object", "required": ["item", "qty", "note"]}
                """);
        Await.until(Duration.ofSeconds(60), "the edited schema to apply", () -> errorCode(request(running.nats,
                "shop.order", "{\"item\": \"tea\", \"qty\": 2}")) == 422);
        Files.writeString(scripts.resolve("schemas/order.json"), """
                {"type": "object", "required": ["item", "qty"],
                 "properties": {"item": {"type": "string", "minLength": 1}, "qty": {"type": "integer", "minimum": 1}}}
                """);
        Await.until(Duration.ofSeconds(60), "the restored schema to apply", () -> errorCode(request(running.nats,
                "shop.order", "{\"item\": \"tea\", \"qty\": 2}")) == 0);
    }

    private ServiceDiscovery.EndpointInfo endpoint(String task) throws InterruptedException {
        List<ServiceDiscovery.ServiceInfo> services = ServiceDiscovery.info(running.nats, Duration.ofSeconds(1), 100).services();
        return services.stream().filter(service -> service.metadata().get("metropolis.task").equals(task)).findFirst()
                .orElseThrow().endpoints().getFirst();
    }
}

package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.TaskMetadata;
import dev.metropolis.testkit.Await;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /openapi.json} from real discovery behind a real auth file, read back with swagger-parser:
 * routes, methods, schemas, the error table, security; it follows the gateway's auth and changes with
 * what is served. {@code GET /tasks} shows the same schemas as {@code input} / {@code output}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class OpenApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "mtr_docs_0123456789abcdef0123456789abcdef";
    private static final String INPUT = "{\"type\":\"object\",\"required\":[\"item\",\"qty\"],"
            + "\"properties\":{\"qty\":{\"type\":\"integer\",\"minimum\":1}}}";
    private EdgeFixture edge;

    @BeforeAll
    void start() throws Exception {
        Path auth = EdgeFixture.authFile("{\"default\": \"required\", \"api_keys\": [{\"name\": \"docs\", \"sha256\": \""
                + HexFormat.of().formatHex(ApiKeys.sha256(KEY)) + "\", \"scopes\": [\"orders.write\"]}]}");
        edge = EdgeFixture.withTasks(Map.of("plain", ""))
                .withTask("orders", "orders.create", Map.of(TaskMetadata.AUTH, "scope:orders.write"),
                        TaskMetadata.schemas(INPUT, "{\"type\":\"object\"}"))
                .withTask("wild", "wild.*", Map.of(TaskMetadata.AUTH, "public"), Map.of())
                .start(new EdgeConfig(auth, null, null, null, null), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void theDocumentFollowsTheGatewaysAuthLikeTheTaskList() throws Exception {
        assertThat(edge.send(edge.request("/openapi.json")).statusCode()).isEqualTo(401);
        assertThat(document().statusCode()).isEqualTo(200);
    }

    @Test
    void aRealOpenApiParserReadsItWithoutAMessage() throws Exception {
        SwaggerParseResult result = parse(document().body());

        assertThat(result.getMessages()).isEmpty();
        OpenAPI api = result.getOpenAPI();
        assertThat(api.getSpecVersion()).isEqualTo(SpecVersion.V31);
        assertThat(api.getOpenapi()).isEqualTo("3.1.0");
        assertThat(api.getPaths()).containsKeys("/orders/create", "/plain/call", "/wild/{token1}", "/tasks", "/openapi.json",
                "/jobs/{id}");
        assertThat(api.getPaths().get("/plain/call").readOperationsMap()).hasSize(5); // any method: the five served
        assertThat(api.getComponents().getSecuritySchemes()).containsKeys("apiKey", "bearer");
        assertThat(api.getComponents().getSecuritySchemes().get("apiKey").getName()).isEqualTo("X-API-Key");
        assertThat(api.getComponents().getSchemas().get("Error").getRequired()).containsExactlyInAnyOrder("error", "code",
                "kind");
    }

    @Test
    void theParserWouldSayWhatIsWrongWithABrokenDocument() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode broken = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(document().body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.get("info")).remove("title");
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.at("/paths/~1orders~1create/post/responses/200"))
                .remove("description");

        assertThat(parse(broken.toString()).getMessages()).anySatisfy(message -> assertThat(message).contains("title"))
                .anySatisfy(message -> assertThat(message).contains("description"));
    }

    @Test
    void aTasksOperationCarriesItsSchemasErrorsAndSecurity() throws Exception {
        Operation post = parse(document().body()).getOpenAPI().getPaths().get("/orders/create").getPost();

        assertThat(post.getRequestBody().getRequired()).isTrue();
        assertThat(post.getRequestBody().getContent().get("application/json").getSchema().getRequired())
                .containsExactly("item", "qty");
        assertThat(post.getResponses()).containsKeys("200", "202", "400", "401", "403", "404", "413", "422", "429", "500",
                "503", "504").doesNotContainKey("405");
        assertThat(post.getResponses().get("422").get$ref()).isEqualTo("#/components/responses/422");
        assertThat(post.getSecurity()).hasSize(2);
        assertThat(post.getSecurity().getFirst().get("apiKey")).containsExactly("orders.write");
        assertThat(post.getTags()).containsExactly("orders");
        assertThat(post.getSummary()).isEqualTo("orders 1.0.0 (js)");

        Operation wild = parse(document().body()).getOpenAPI().getPaths().get("/wild/{token1}").getGet();
        assertThat(wild.getSecurity()).isEmpty(); // public: no credential
        assertThat(wild.getResponses()).doesNotContainKeys("401", "403");
    }

    @Test
    void theTaskListShowsTheSameSchemas() throws Exception {
        HttpResponse<String> list = edge.send(edge.request("/tasks").header("X-API-Key", KEY));
        JsonNode tasks = JSON.readTree(list.body()).get("tasks");
        JsonNode orders = find(tasks, "orders");
        assertThat(orders.get("input")).isEqualTo(JSON.readTree(INPUT));
        assertThat(orders.get("output")).isEqualTo(JSON.readTree("{\"type\":\"object\"}"));
        assertThat(find(tasks, "plain").get("input").isNull()).isTrue();
    }

    @Test
    void theDocumentChangesWhenWhatIsServedChanges() throws Exception {
        String before = JSON.readTree(document().body()).at("/info/version").asText();
        try (FakeTask added = FakeTask.answering(edge.nats, "added", "added.call", Map.of())) {
            Await.until(Duration.ofSeconds(15), "the new task in the document", () -> {
                edge.gateway.refreshRoutes();
                return JSON.readTree(document().body()).at("/paths").has("/added/call");
            });
            assertThat(JSON.readTree(document().body()).at("/info/version").asText()).isNotEqualTo(before);
        }
    }

    private HttpResponse<String> document() throws Exception {
        return edge.send(edge.request("/openapi.json").header("X-API-Key", KEY));
    }

    private static SwaggerParseResult parse(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(false); // keep the $refs to the shared responses as written
        return new OpenAPIV3Parser().readContents(json, null, options);
    }

    private static JsonNode find(JsonNode tasks, String task) {
        for (JsonNode entry : tasks) {
            if (entry.get("task").asText().equals(task)) {
                return entry;
            }
        }
        throw new AssertionError("no task " + task + " in " + tasks);
    }
}

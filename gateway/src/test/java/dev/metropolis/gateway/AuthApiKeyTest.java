package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.task.WireHeaders;
import dev.metropolis.testkit.Await;
import java.nio.file.Files;
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
 * API keys from the auth file, which holds only their SHA-256: sent as X-API-Key or as a bearer,
 * limited to scopes and tasks, and revoked by rewriting the file while the gateway runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class AuthApiKeyTest {
    private static final String CI_KEY = "mtr_ci_0123456789abcdef0123456789abcdef";
    private static final String OPS_KEY = "mtr_ops_fedcba9876543210fedcba9876543210";
    private static final String GONE_KEY = "mtr_gone_00000000000000000000000000000000";
    private Path authFile;
    private EdgeFixture edge;

    private static String hash(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    private static String file(String... entries) {
        return "{\"default\": \"required\", \"api_keys\": [" + String.join(",", entries) + "]}";
    }

    private static String key(String name, String key, String scopes, String tasks) {
        return "{\"name\": \"%s\", \"sha256\": \"%s\", \"scopes\": %s, \"tasks\": %s}".formatted(name, hash(key), scopes,
                tasks);
    }

    @BeforeAll
    void start() throws Exception {
        authFile = EdgeFixture.authFile(file(key("ci", CI_KEY, "[\"orders.write\"]", "[]"),
                key("ops", OPS_KEY, "[]", "[\"plain\"]"), key("gone", GONE_KEY, "[]", "[]")));
        edge = EdgeFixture.withTasks(Map.of("orders", "scope:orders.write", "plain", ""))
                .start(new EdgeConfig(authFile, null, null, null, null), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void theFileHoldsNoKeyInPlainText() throws Exception {
        assertThat(Files.readString(authFile)).doesNotContain(CI_KEY).doesNotContain(OPS_KEY);
    }

    @Test
    void aKeyWorksAsXApiKeyAndAsABearerAndNamesTheCaller() throws Exception {
        assertThat(edge.call("orders", "X-API-Key", CI_KEY).statusCode()).isEqualTo(200);
        assertThat(edge.tasks.get("orders").next(Duration.ofSeconds(5)).getHeaders().getFirst(WireHeaders.AUTH))
                .contains("\"method\":\"api_key\"", "\"subject\":\"ci\"", "\"key\":\"ci\"");
        assertThat(edge.call("orders", "Authorization", "Bearer " + CI_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void anUnknownKeyIsA401() throws Exception {
        var response = edge.call("plain", "X-API-Key", CI_KEY + "x");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(response.body()).contains("\"kind\":\"unauthenticated\"").doesNotContain(CI_KEY);
    }

    @Test
    void aKeyWithoutTheScopeOrOutsideItsTasksIsA403() throws Exception {
        assertThat(edge.call("orders", "X-API-Key", OPS_KEY).statusCode()).isEqualTo(403);
        assertThat(edge.call("plain", "X-API-Key", OPS_KEY).statusCode()).isEqualTo(200);
        assertThat(edge.call("plain", "X-API-Key", CI_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyRemovedFromTheFileStopsWorkingWhileTheGatewayRuns() throws Exception {
        assertThat(edge.call("plain", "X-API-Key", GONE_KEY).statusCode()).isEqualTo(200);
        Files.writeString(authFile, file(key("ci", CI_KEY, "[\"orders.write\"]", "[]"),
                key("ops", OPS_KEY, "[]", "[\"plain\"]")));
        Await.until(Duration.ofSeconds(10), "the revoked key to be refused",
                () -> edge.call("plain", "X-API-Key", GONE_KEY).statusCode() == 401);
        assertThat(edge.call("plain", "X-API-Key", CI_KEY).statusCode()).as("the other keys still work").isEqualTo(200);
    }
}

package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Message;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * HS256 bearer tokens at the gateway, made in the test: which tokens pass, which are a 401 (with
 * WWW-Authenticate) or a 403, and what the task receives. Tasks announced by plain jnats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class AuthJwtTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    private EdgeFixture edge;

    @BeforeAll
    void start() throws Exception {
        String auth = """
                {"default": "required",
                 "jwt": {"issuer": "%s", "audience": "%s", "secret_env": "TEST_JWT_SECRET", "clock_skew": "5s"}}
                """.formatted(Tokens.ISSUER, Tokens.AUDIENCE);
        edge = EdgeFixture.withTasks(Map.of("orders", "scope:orders.write", "open", "public", "plain", ""))
                .start(new EdgeConfig(EdgeFixture.authFile(auth), null, null, null, null), Map.of("TEST_JWT_SECRET", SECRET));
    }

    @AfterAll
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static void assertRefused(HttpResponse<String> response, int status, String kind) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asInt()).isEqualTo(status);
        assertThat(body.get("kind").asText()).isEqualTo(kind);
        if (status == 401) {
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    challenge -> assertThat(challenge).startsWith("Bearer realm=\"metropolis\""));
        }
    }

    @Test
    void aValidTokenWithTheScopeReachesTheTaskAsItsIdentity() throws Exception {
        String token = Tokens.hs256(SECRET, Tokens.claims("alice", "orders.write orders.read").build());
        HttpResponse<String> response = edge.call("orders", "Authorization", bearer(token),
                WireHeaders.AUTH, "{\"subject\":\"mallory\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Message received = edge.tasks.get("orders").next(Duration.ofSeconds(5));
        // The gateway's identity, not the one the caller tried to send; the token itself stays at the gateway.
        JsonNode auth = JSON.readTree(received.getHeaders().getFirst(WireHeaders.AUTH));
        assertThat(auth.get("subject").asText()).isEqualTo("alice");
        assertThat(auth.get("method").asText()).isEqualTo("jwt");
        assertThat(auth.get("scopes").toString()).isEqualTo("[\"orders.write\",\"orders.read\"]");
        assertThat(auth.get("claims").get("iss").asText()).isEqualTo(Tokens.ISSUER);
        assertThat(received.getHeaders().get(WireHeaders.AUTH)).hasSize(1);
        assertThat(received.getHeaders().containsKey("Authorization")).isFalse();
    }

    @Test
    void noCredentialIsA401OnARequiredRouteAndFineOnAPublicOne() throws Exception {
        assertRefused(edge.call("plain"), 401, "unauthenticated");
        assertRefused(edge.call("orders"), 401, "unauthenticated");
        assertThat(edge.call("open").statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenForAnotherScopeIsA403() throws Exception {
        String token = Tokens.hs256(SECRET, Tokens.claims("bob", "orders.read").build());
        HttpResponse<String> response = edge.call("orders", "Authorization", bearer(token));
        assertRefused(response, 403, "forbidden");
        assertThat(response.body()).contains("scope:orders.write");
        assertThat(edge.call("plain", "Authorization", bearer(token)).statusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredTokenIsA401() throws Exception {
        Instant past = Instant.now().minusSeconds(120);
        String token = Tokens.hs256(SECRET, Tokens.claims("carol", "orders.write")
                .expirationTime(Date.from(past)).build());
        HttpResponse<String> response = edge.call("plain", "Authorization", bearer(token));
        assertRefused(response, 401, "unauthenticated");
        assertThat(response.body()).containsIgnoringCase("expired");
    }

    @Test
    void aTokenNotYetValidIsA401() throws Exception {
        String token = Tokens.hs256(SECRET, Tokens.claims("dave", "").notBeforeTime(Date.from(Instant.now().plusSeconds(120)))
                .build());
        assertRefused(edge.call("plain", "Authorization", bearer(token)), 401, "unauthenticated");
    }

    @Test
    void aTokenForAnotherAudienceOrIssuerIsA401() throws Exception {
        String audience = Tokens.hs256(SECRET, Tokens.claims("erin", "").audience("someone-else").build());
        assertRefused(edge.call("plain", "Authorization", bearer(audience)), 401, "unauthenticated");
        String issuer = Tokens.hs256(SECRET, Tokens.claims("erin", "").issuer("https://elsewhere").build());
        assertRefused(edge.call("plain", "Authorization", bearer(issuer)), 401, "unauthenticated");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsA401() throws Exception {
        String token = Tokens.hs256("another-secret-that-is-32-bytes-long!!", Tokens.claims("frank", "orders.write").build());
        assertRefused(edge.call("orders", "Authorization", bearer(token)), 401, "unauthenticated");
    }

    @Test
    void anUnsignedTokenIsA401() throws Exception {
        String token = Tokens.unsigned(Tokens.claims("mallory", "orders.write").build());
        assertRefused(edge.call("orders", "Authorization", bearer(token)), 401, "unauthenticated");
    }

    @Test
    void anotherAuthorizationSchemeIsA401() throws Exception {
        assertRefused(edge.call("plain", "Authorization", "Basic dXNlcjpwYXNz"), 401, "unauthenticated");
    }

    @Test
    void theTaskListShowsEachRoutesPolicyAndNeedsACredential() throws Exception {
        assertThat(edge.send(edge.request("/tasks").GET()).statusCode()).isEqualTo(401);
        String token = Tokens.hs256(SECRET, Tokens.claims("alice", "").build());
        HttpResponse<String> list = edge.send(edge.request("/tasks").header("Authorization", bearer(token)).GET());
        assertThat(list.statusCode()).isEqualTo(200);
        Map<String, String> policies = new java.util.HashMap<>();
        JSON.readTree(list.body()).get("tasks").forEach(task -> policies.put(task.get("task").asText(),
                task.get("auth").toString()));
        assertThat(policies).containsEntry("orders", "[\"scope:orders.write\"]").containsEntry("open", "\"public\"")
                .containsEntry("plain", "\"required\"");
    }
}

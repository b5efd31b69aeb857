package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caller's identity end to end: real Python and JavaScript tasks behind the gateway read
 * {@code msg.auth}, and their header's {@code auth} policy is what the gateway enforces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CallerIdentityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "end-to-end-secret-of-at-least-32-bytes";
    private static final String KEY = "mtr_e2e_4f1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c";
    private static final String WHOAMI_PY = """
            # /// metropolis
            # subject = "who.py"
            # auth = ["scope:who.read"]
            # ///
            def handle(body, msg):
                return {"auth": msg.auth}
            """;
    private static final String WHOAMI_JS = """
            // /// metropolis
            // subject = "who.js"
            // auth = "public"
            // ///
            function handle(body, msg) {
              return { auth: msg.auth === undefined ? null : msg.auth };
            }
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private LocalNatsServer server;
    private Engines engines;
    private Host host;
    private Gateway gateway;

    @BeforeAll
    void start(@TempDir Path scripts, @TempDir Path config) throws Exception {
        Files.writeString(scripts.resolve("whopy.py"), WHOAMI_PY);
        Files.writeString(scripts.resolve("whojs.js"), WHOAMI_JS);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
        Path auth = Files.writeString(config.resolve("auth.json"), """
                {"default": "required",
                 "api_keys": [{"name": "robot", "sha256": "%s", "scopes": ["who.read"]}],
                 "jwt": {"issuer": "https://issuer.test", "audience": "metropolis", "secret_env": "E2E_SECRET"}}
                """.formatted(hash));
        int natsPort = FreePort.next();
        server = LocalNatsServer.start(natsPort, System.getenv());
        NatsSettings nats = NatsSettings.of("nats://127.0.0.1:" + natsPort);
        engines = new Engines();
        host = Host.builder(new HostConfig(scripts, nats, Duration.ofSeconds(5)), engines).start();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, nats, 64 * 1024, 64, Duration.ofSeconds(1),
                Duration.ofSeconds(5), new EdgeConfig(auth, null, null, null, null)))
                .environment(Map.of("E2E_SECRET", SECRET)).start();
        Await.until(Duration.ofSeconds(30), "the gateway to discover both tasks", () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().stream().map(TaskRoute::task).toList().containsAll(java.util.List.of("whopy",
                    "whojs"));
        });
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(gateway, host, engines, server);
    }

    private HttpResponse<String> post(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String subject, String scope) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .issuer("https://issuer.test").audience("metropolis").subject(subject).claim("scope", scope)
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void aPythonTaskSeesTheTokensSubjectScopesAndClaims() throws Exception {
        HttpResponse<String> response = post("/who/py", "Authorization", "Bearer " + token("alice", "who.read extra"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode auth = JSON.readTree(response.body()).get("auth");
        assertThat(auth.get("method").asText()).isEqualTo("jwt");
        assertThat(auth.get("subject").asText()).isEqualTo("alice");
        assertThat(auth.get("scopes").toString()).isEqualTo("[\"who.read\",\"extra\"]");
        assertThat(auth.get("claims").get("aud").toString()).contains("metropolis");
    }

    @Test
    void aJavaScriptTaskSeesTheKeysNameAndNothingForAnAnonymousCaller() throws Exception {
        HttpResponse<String> keyed = post("/who/js", "X-API-Key", KEY);
        assertThat(keyed.statusCode()).as(keyed.body()).isEqualTo(200);
        JsonNode auth = JSON.readTree(keyed.body()).get("auth");
        assertThat(auth.get("key").asText()).isEqualTo("robot");
        assertThat(auth.get("method").asText()).isEqualTo("api_key");
        HttpResponse<String> anonymous = post("/who/js", "Metropolis-Auth", "{\"subject\":\"forged\"}");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(anonymous.body()).get("auth").isNull()).as("a caller's own header never arrives").isTrue();
    }

    @Test
    void theScriptsOwnPolicyIsEnforced() throws Exception {
        assertThat(post("/who/py").statusCode()).isEqualTo(401);
        assertThat(post("/who/py", "Authorization", "Bearer " + token("bob", "other")).statusCode()).isEqualTo(403);
    }
}

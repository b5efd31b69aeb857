package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import dev.metropolis.testkit.Closing;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * RS256 tokens checked against a JWKS served by a JDK HttpServer on 127.0.0.1 (cached; a rotated
 * key is fetched when a token names it), and ES256 against a JWKS file. Key pairs made in the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class AuthJwksTest {
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private HttpServer jwks;
    private RSAKey first;
    private EdgeFixture urlGateway;
    private EdgeFixture fileGateway;
    private ECKey ec;

    @BeforeAll
    void start() throws Exception {
        first = new RSAKeyGenerator(2048).keyID("first").generate();
        published.set(new JWKSet(first.toPublicJWK()));
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        String url = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";
        urlGateway = EdgeFixture.withTasks(Map.of("plain", "")).start(new EdgeConfig(EdgeFixture.authFile(
                "{\"jwt\": {\"issuer\": \"%s\", \"audience\": \"%s\", \"jwks\": \"%s\"}}".formatted(Tokens.ISSUER,
                        Tokens.AUDIENCE, url)), null, null, null, null), Map.of());

        ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        Path file = Files.createTempDirectory("metropolis-jwks").resolve("jwks.json");
        Files.writeString(file, new JWKSet(ec.toPublicJWK()).toString(true));
        fileGateway = EdgeFixture.withTasks(Map.of("plain", "")).start(new EdgeConfig(EdgeFixture.authFile(
                "{\"jwt\": {\"audience\": \"%s\", \"jwks\": \"%s\", \"scope_claim\": \"scp\"}}".formatted(Tokens.AUDIENCE,
                        file.toUri())), null, null, null, null), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(urlGateway, fileGateway);
        if (jwks != null) {
            jwks.stop(0);
        }
    }

    private static String rs256(RSAKey key, String subject) throws Exception {
        return Tokens.sign(new RSASSASigner(key), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                Tokens.claims(subject, "").build());
    }

    @Test
    void anRs256TokenVerifiesAgainstTheJwksUrlWhichIsCached() throws Exception {
        assertThat(urlGateway.call("plain", "Authorization", "Bearer " + rs256(first, "alice")).statusCode()).isEqualTo(200);
        int afterFirst = fetches.get();
        assertThat(urlGateway.call("plain", "Authorization", "Bearer " + rs256(first, "bob")).statusCode()).isEqualTo(200);
        assertThat(fetches.get()).as("the second token is checked against the cached keys").isEqualTo(afterFirst);
    }

    @Test
    void aRotatedKeyIsFetchedWhenATokenNamesIt() throws Exception {
        RSAKey second = new RSAKeyGenerator(2048).keyID("second").generate();
        String token = rs256(second, "carol");
        published.set(new JWKSet(java.util.List.of(first.toPublicJWK(), second.toPublicJWK())));
        // The gateway refetches at most once a second, so the first try may meet the rate limit; it must pass soon.
        dev.metropolis.testkit.Await.until(java.time.Duration.ofSeconds(10), "a token signed by the rotated key to pass",
                () -> urlGateway.call("plain", "Authorization", "Bearer " + token).statusCode() == 200);
    }

    @Test
    void aTokenSignedByAKeyNotInTheJwksIsA401() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("first").generate(); // same kid, other key
        assertThat(urlGateway.call("plain", "Authorization", "Bearer " + rs256(stranger, "mallory")).statusCode())
                .isEqualTo(401);
    }

    @Test
    void anEs256TokenVerifiesAgainstAJwksFileWithScopesFromTheConfiguredClaim() throws Exception {
        String token = Tokens.sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec").build(),
                Tokens.claims("dora", "ignored").claim("scp", java.util.List.of("a", "b")).build());
        assertThat(fileGateway.call("plain", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
        String scopes = fileGateway.tasks.get("plain").next(java.time.Duration.ofSeconds(5)).getHeaders()
                .getFirst(dev.metropolis.task.WireHeaders.AUTH);
        assertThat(scopes).contains("\"scopes\":[\"a\",\"b\"]");
    }

    @Test
    void anHs256TokenIsRefusedWhereOnlyKeysFromAJwksAreAccepted() throws Exception {
        String token = Tokens.hs256("a-shared-secret-of-at-least-32-bytes!", Tokens.claims("eve", "").build());
        assertThat(urlGateway.call("plain", "Authorization", "Bearer " + token).statusCode()).isEqualTo(401);
    }
}

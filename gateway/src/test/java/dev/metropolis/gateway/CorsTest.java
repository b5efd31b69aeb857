package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * CORS at the gateway, with authentication on: the preflight is answered without a credential,
 * an allowed origin's request carries the allow headers, another origin's preflight is a 403.
 * Raw sockets, to send exactly the headers a browser sends with a preflight and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class CorsTest {
    private static final String APP = "https://app.example.com";
    private EdgeFixture edge;

    @BeforeAll
    void start() throws Exception {
        CorsSettings cors = new CorsSettings(List.of(APP), List.of("GET", "POST"), List.of("Authorization", "Content-Type"),
                true, Duration.ofMinutes(10));
        edge = EdgeFixture.withTasks(Map.of("open", "public", "plain", ""))
                .start(new EdgeConfig(EdgeFixture.authFile("{\"default\": \"required\"}"), null, cors, null, null), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    private RawHttp.Response exchange(String method, String path, String origin, String extra) throws Exception {
        return RawHttp.exchange(edge.gateway.port(), method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
                + origin + "\r\n" + extra + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredWithoutACredential() throws Exception {
        RawHttp.Response response = exchange("OPTIONS", "/plain/call", APP,
                "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization\r\n");
        assertThat(response.status()).isEqualTo(204);
        assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(response.header("Access-Control-Allow-Methods")).isEqualTo("GET, POST");
        assertThat(response.header("Access-Control-Allow-Headers")).contains("Authorization");
        assertThat(response.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(response.header("Access-Control-Max-Age")).isEqualTo("600");
        assertThat(response.header("Vary")).isEqualTo("Origin");
    }

    @Test
    void aPreflightFromAnotherOriginIsA403() throws Exception {
        RawHttp.Response response = exchange("OPTIONS", "/plain/call", "https://evil.example",
                "Access-Control-Request-Method: POST\r\n");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.header("Access-Control-Allow-Origin")).isNull();
        assertThat(response.body()).contains("\"kind\":\"forbidden\"");
    }

    @Test
    void anAllowedOriginsRequestGetsTheAllowHeadersAndStillNeedsItsCredential() throws Exception {
        RawHttp.Response open = exchange("POST", "/open/call", APP, "");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(open.header("Access-Control-Expose-Headers")).contains("RateLimit-Remaining");
        RawHttp.Response guarded = exchange("POST", "/plain/call", APP, "");
        assertThat(guarded.status()).isEqualTo(401);
        assertThat(guarded.header("Access-Control-Allow-Origin")).as("the browser may read the 401").isEqualTo(APP);
    }

    @Test
    void aRequestWithoutOriginGetsNoCorsHeaders() throws Exception {
        HttpResponse<String> response = edge.send(edge.request("/open/call").POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}

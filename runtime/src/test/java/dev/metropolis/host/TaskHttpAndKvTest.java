package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.errorCode;
import static dev.metropolis.host.TestSupport.request;
import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.metropolis.observe.ObserveAddress;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP out (fetch, metropolis.http) to a real local HTTP server, and JetStream key-value state
 * on a real nats-server, through the grants of the scripts' headers. Two hosts serve the scripts,
 * as two replicas would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class TaskHttpAndKvTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RESPONSE = 64 * 1024;

    private HttpServer web;
    private final AtomicReference<String> lastRequest = new AtomicReference<>();
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private TestNats server;
    private final List<Host> hosts = new ArrayList<>();
    private Connection nats;

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/rates", exchange -> {
            lastRequest.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("X-Request-Id") + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.getResponseHeaders().add("X-Source", "test");
            send(exchange, 200, "application/json", "{\"eur\": 1.08}");
        });
        web.createContext("/missing", exchange -> send(exchange, 404, "text/plain", "not here"));
        web.createContext("/moved", exchange -> redirect(exchange, "/rates"));
        // 127.0.0.2 is this machine too, but it is not the granted origin.
        web.createContext("/escape", exchange -> redirect(exchange, "http://127.0.0.2:" + web.getAddress().getPort() + "/rates"));
        web.createContext("/big", exchange -> send(exchange, 200, "text/plain", "x".repeat(MAX_RESPONSE + 1)));
        web.createContext("/slow", exchange -> {
            try {
                releaseSlow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(exchange, 200, "text/plain", "late");
        });
        web.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        web.start();
        String origin = "http://127.0.0.1:" + web.getAddress().getPort();

        Files.writeString(scripts.resolve("rates.py"), """
                # /// metropolis
                # subject = "web.py.*"
                # timeout = "2s"
                # [allow]
                # http = ["%s"]
                # ///
                import metropolis

                def handle(body, msg):
                    what = msg.subject.split(".")[-1]
                    base = "%s"
                    if what == "get":
                        r = metropolis.http.get(base + "/rates?day=1")
                        return {"status": r.status, "ok": r.ok, "eur": r.json()["eur"], "source": r.headers.get("x-source")}
                    if what == "post":
                        r = metropolis.http.post(base + "/rates", {"amount": 5})
                        return r.status
                    if what == "missing":
                        r = metropolis.http.get(base + "/missing")
                        return {"status": r.status, "ok": r.ok, "text": r.text}
                    if what == "moved":
                        return metropolis.http.get(base + "/moved").json()
                    if what == "escape":
                        return metropolis.http.get(base + "/escape").text
                    if what == "denied":
                        return metropolis.http.get("https://example.com/").text
                    if what == "big":
                        return len(metropolis.http.get(base + "/big").content)
                    if what == "slow":
                        return metropolis.http.get(base + "/slow", timeout="300ms").text
                    return "unknown " + what
                """.formatted(origin, origin));
        Files.writeString(scripts.resolve("rates.js"), """
                // /// metropolis
                // subject = "web.js.*"
                // [allow]
                // http = ["%s"]
                // ///
                export async function handle(body, msg) {
                  const what = msg.subject.split('.').pop();
                  if (what === 'get') {
                    const r = await fetch('%s/rates', { headers: { 'X-Custom': 'yes' } });
                    return { status: r.status, ok: r.ok, eur: (await r.json()).eur, source: r.headers.get('X-Source'),
                             bytes: (await r.arrayBuffer()).byteLength };
                  }
                  if (what === 'denied') {
                    try { await fetch('http://127.0.0.2:1/x'); } catch (e) { return { name: e.name, message: e.message }; }
                  }
                  return 'unknown ' + what;
                }
                """.formatted(origin, origin));
        Files.writeString(scripts.resolve("counter.py"), """
                # /// metropolis
                # subject = "state.count"
                # concurrency = 2
                # [allow]
                # kv = ["counters"]
                # ///
                import metropolis

                def handle(body, msg):
                    counters = metropolis.kv("counters")
                    while True:
                        entry = counters.get("n")
                        try:
                            return counters.update("n", (entry.value if entry else 0) + 1, entry.revision if entry else 0)
                        except metropolis.CallError as e:
                            if e.code != 409:
                                raise
                """);
        Files.writeString(scripts.resolve("cart.js"), """
                // /// metropolis
                // subject = "state.cart.*"
                // [allow]
                // kv = ["carts"]
                // ///
                export async function handle(body, msg) {
                  const carts = metropolis.kv('carts');
                  const what = msg.subject.split('.').pop();
                  if (what === 'put') return await carts.put(body.id, body.items);
                  if (what === 'get') return await carts.get(body.id);
                  if (what === 'keys') return (await carts.keys()).sort();
                  if (what === 'delete') { await carts.delete(body.id); return { gone: (await carts.get(body.id)) === null }; }
                  if (what === 'denied') {
                    try { metropolis.kv('orders'); } catch (e) { return { name: e.name, message: e.message }; }
                  }
                  return 'unknown ' + what;
                }
                """);
        server = TestNats.start();
        for (int i = 0; i < 2; i++) {
            hosts.add(Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(2), false,
                    ObserveAddress.NONE, null, MAX_RESPONSE), TestSupport.ENGINES).start());
        }
        nats = server.connect();
        assertThat(hosts.getFirst().problems()).isEmpty();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    @AfterAll
    void stop() throws Exception {
        releaseSlow.countDown();
        if (nats != null) {
            nats.close();
        }
        hosts.forEach(Host::close);
        if (server != null) {
            server.close();
        }
        if (web != null) {
            web.stop(0);
        }
    }

    private JsonNode json(Message reply) throws Exception {
        return JSON.readTree(reply.getData());
    }

    private Message call(String subject, String body) throws Exception {
        return request(nats, subject, body);
    }

    // ---- HTTP ------------------------------------------------------------------------------------------

    @Test
    void pythonGetsAGrantedOriginAndReadsStatusHeadersAndJson() throws Exception {
        JsonNode answer = json(call("web.py.get", "{}"));

        assertThat(answer.toString()).isEqualTo("{\"status\":200,\"ok\":true,\"eur\":1.08,\"source\":\"test\"}");
        assertThat(lastRequest.get()).startsWith("GET /rates?day=1 ");
    }

    @Test
    void aPostSendsItsBodyAsJsonWithTheMessagesRequestId() throws Exception {
        io.nats.client.impl.Headers headers = new io.nats.client.impl.Headers().put("X-Request-Id", "req-7");
        Message reply = request(nats, "web.py.post", headers, "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(text(reply)).isEqualTo("200");
        assertThat(lastRequest.get()).isEqualTo("POST /rates req-7 application/json {\"amount\":5}");
    }

    @Test
    void aStatusThatIsNotOkIsAResponseNotAnError() throws Exception {
        assertThat(json(call("web.py.missing", "{}")).toString())
                .isEqualTo("{\"status\":404,\"ok\":false,\"text\":\"not here\"}");
    }

    @Test
    void aRedirectWithinTheGrantIsFollowed() throws Exception {
        assertThat(json(call("web.py.moved", "{}")).get("eur").asDouble()).isEqualTo(1.08);
    }

    @Test
    void aRedirectToAnOriginNotGrantedIsRefused() throws Exception {
        Message reply = call("web.py.escape", "{}");

        assertThat(errorCode(reply)).isEqualTo(500);
        assertThat(json(reply).get("error").asText()).contains("GrantError: task 'rates' may not reach http://127.0.0.2:")
                .contains("redirected there");
    }

    @Test
    void anOriginNotGrantedIsRefusedNamingTheGrant() throws Exception {
        Message python = call("web.py.denied", "{}");
        JsonNode js = json(call("web.js.denied", "{}"));

        assertThat(json(python).get("error").asText()).contains("may not reach https://example.com")
                .contains("[allow] http = [\"https://example.com\"]");
        assertThat(js.get("name").asText()).isEqualTo("GrantError");
        assertThat(js.get("message").asText()).contains("may not reach http://127.0.0.2:1");
    }

    @Test
    void aResponseOverTheLimitIsRefused() throws Exception {
        Message reply = call("web.py.big", "{}");

        assertThat(errorCode(reply)).isEqualTo(502);
        assertThat(json(reply).get("error").asText()).contains("larger than " + MAX_RESPONSE + " bytes");
    }

    @Test
    void aSlowServerEndsAtTheTimeout() throws Exception {
        Message reply = call("web.py.slow", "{}");

        assertThat(errorCode(reply)).isEqualTo(504);
        assertThat(json(reply).get("error").asText()).contains("/slow did not answer within 300ms");
    }

    @Test
    void javaScriptFetchesWithTheWebsResponseShape() throws Exception {
        JsonNode answer = json(call("web.js.get", "{}"));

        assertThat(answer.toString()).isEqualTo("{\"status\":200,\"ok\":true,\"eur\":1.08,\"source\":\"test\",\"bytes\":13}");
    }

    // ---- key-value state -------------------------------------------------------------------------------

    @Test
    void twoHostsIncrementingOneCounterLoseNoIncrement() throws Exception {
        int increments = 40;
        List<CompletableFuture<Message>> replies = new ArrayList<>();
        for (int i = 0; i < increments; i++) {
            replies.add(nats.requestWithTimeout("state.count", null, new byte[0], Duration.ofSeconds(30)));
        }
        List<Long> revisions = new ArrayList<>();
        for (CompletableFuture<Message> reply : replies) {
            Message message = reply.get(60, TimeUnit.SECONDS);
            assertThat(errorCode(message)).as(text(message)).isZero();
            revisions.add(Long.parseLong(text(message)));
        }

        assertThat(revisions).doesNotHaveDuplicates().hasSize(increments);
        long value = Long.parseLong(new String(nats.keyValue("counters").get("n").getValue(), StandardCharsets.UTF_8));
        assertThat(value).isEqualTo(increments);
    }

    @Test
    void aCartIsPutReadListedAndDeleted() throws Exception {
        assertThat(errorCode(call("state.cart.put", "{\"id\": \"c1\", \"items\": [\"tea\", \"milk\"]}"))).isZero();
        assertThat(errorCode(call("state.cart.put", "{\"id\": \"c2\", \"items\": []}"))).isZero();

        JsonNode entry = json(call("state.cart.get", "{\"id\": \"c1\"}"));
        assertThat(entry.get("value").toString()).isEqualTo("[\"tea\",\"milk\"]");
        assertThat(entry.get("revision").asLong()).isPositive();
        assertThat(json(call("state.cart.keys", "{}")).toString()).contains("\"c1\"", "\"c2\"");
        assertThat(text(call("state.cart.delete", "{\"id\": \"c2\"}"))).isEqualTo("{\"gone\":true}");
    }

    @Test
    void aBucketThatIsNotGrantedIsRefused() throws Exception {
        JsonNode answer = json(call("state.cart.denied", "{}"));

        assertThat(answer.get("name").asText()).isEqualTo("GrantError");
        assertThat(answer.get("message").asText()).contains("may not use key-value bucket 'orders'")
                .contains("[allow] kv = [\"orders\"]");
    }
}

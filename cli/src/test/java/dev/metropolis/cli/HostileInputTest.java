package dev.metropolis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.gateway.Gateway;
import dev.metropolis.gateway.GatewayConfig;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-input suite: a corpus of requests no one should send (src/test/resources/hostile:
 * scripts that try to escape the sandbox or hurt the host, NATS requests in tasks.tsv, raw HTTP in
 * http.tsv, broken scripts). Each gets a clear error of the documented kind, and afterwards the
 * host and the gateway still serve a well-behaved task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CORPUS = "/hostile/";
    private static final long MAX_BODY = 64 * 1024;

    private TestNats server;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private Connection nats;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void start(@TempDir Path scripts) throws Exception {
        for (String name : List.of("hostile.py", "hostile.js", "spin.py", "spin.js", "sane.js", "guarded.js",
                "broken-header.py", "broken-syntax.js", "broken-schema.js")) {
            try (InputStream in = HostileInputTest.class.getResourceAsStream(CORPUS + "scripts/" + name)) {
                Files.copy(in, scripts.resolve(name));
            }
        }
        server = TestNats.start();
        engines = new Engines();
        host = Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(2)), engines).start();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, server.settings(), MAX_BODY, 64, Duration.ofMillis(200),
                Duration.ofSeconds(2))).start();
        nats = server.connect();
        Await.until(Duration.ofSeconds(30), "the gateway to route the tasks",
                () -> gateway.routes().routes().size() >= 5);
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(nats, gateway, host, engines, server);
    }

    /** One line of a corpus file: its tab-separated fields. */
    record Case(String line, List<String> fields) {
        @Override
        public String toString() {
            return line.length() > 70 ? line.substring(0, 70) + "..." : line;
        }
    }

    private static Stream<Case> corpus(String file) throws IOException {
        try (InputStream in = HostileInputTest.class.getResourceAsStream(CORPUS + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> new Case(line, List.of(line.split("\t", -1))))
                    .toList().stream();
        }
    }

    static Stream<Case> natsCases() throws IOException {
        return corpus("tasks.tsv");
    }

    static Stream<Case> httpCases() throws IOException {
        return corpus("http.tsv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("natsCases")
    void aHostileRequestGetsItsErrorAndTheHostServesOn(Case hostile) throws Exception {
        List<String> f = hostile.fields();
        Headers headers = f.get(1).equals("-") ? null : new Headers().put("Content-Type", f.get(1));
        Message reply = nats.requestWithTimeout(f.get(0), headers, body(f.get(2)), Duration.ofSeconds(20))
                .get(30, TimeUnit.SECONDS);

        JsonNode error = JSON.readTree(reply.getData());
        assertThat(reply.getHeaders().getFirst("Nats-Service-Error-Code")).isEqualTo(f.get(3));
        assertThat(error.get("kind").asText()).isEqualTo(f.get(4));
        assertThat(error.get("error").asText()).contains(f.get(5)).doesNotContain("java.lang.", "com.oracle.");
        if (error.has("violations")) {
            assertThat(error.get("violations").size()).isBetween(1, 100);
        }
        assertSaneTaskAnswers();
    }

    private static byte[] body(String spec) {
        return switch (spec) {
            case "DEEP" -> "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
            case "NOT_UTF8" -> new byte[] {(byte) 0xc3, (byte) 0x28};
            case "MANY_WRONG" -> ("[" + String.join(",", java.util.Collections.nCopies(20_000, "\"x\"")) + "]")
                    .getBytes(StandardCharsets.US_ASCII); // 20,000 violations: the reply lists 100 of them
            default -> spec.getBytes(StandardCharsets.UTF_8);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("httpCases")
    void aHostileHttpRequestGetsItsErrorAndTheGatewayServesOn(Case hostile) throws Exception {
        List<String> f = hostile.fields();
        String request = f.get(0).replace("\\r\\n", "\r\n").replace("BIG", "a".repeat(4000))
                .replace("LARGE", Long.toString(MAX_BODY * 4));

        String[] response = exchange(request);

        assertThat(response[0]).as("status of " + hostile).isEqualTo(f.get(1));
        if (!f.get(2).equals("-")) {
            assertThat(JSON.readTree(response[1]).get("kind").asText()).isEqualTo(f.get(2));
        }
        String[] sane = exchange("POST /hostile/sane HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(sane[0]).isEqualTo("200");
    }

    @Test
    void brokenScriptsAreLoadErrorsWithFileAndLineAndTheRestServe() throws Exception {
        assertThat(host.problems()).extracting(problem -> problem.file().getFileName().toString())
                .containsExactlyInAnyOrder("broken-header.py", "broken-syntax.js", "broken-schema.js");
        ScriptProblem schema = host.problems().stream()
                .filter(problem -> problem.file().getFileName().toString().equals("broken-schema.js")).findFirst().orElseThrow();
        assertThat(schema.line()).isEqualTo(3);
        assertThat(schema.detail()).contains("is outside the scripts folder");
        ScriptProblem header = host.problems().stream()
                .filter(problem -> problem.file().getFileName().toString().equals("broken-header.py")).findFirst().orElseThrow();
        assertThat(header.line()).isEqualTo(3);
        assertThat(header.detail()).contains("did you mean 'concurrency'");
        assertSaneTaskAnswers();
    }

    private void assertSaneTaskAnswers() throws Exception {
        Message sane = nats.requestWithTimeout("hostile.sane", null, "{\"n\": 1}".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
        assertThat(JSON.readTree(sane.getData()).get("ok").asBoolean()).isTrue();
    }

    /** Writes {@code request} on a fresh connection; the status code and the body of the response. */
    private String[] exchange(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = readLine(in).split(" ", 3)[1];
            int length = -1;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] body = length < 0 ? new byte[0] : in.readNBytes(length);
            return new String[] {status, new String(body, StandardCharsets.UTF_8)};
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}

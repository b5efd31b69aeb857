package dev.metropolis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.gateway.Gateway;
import dev.metropolis.gateway.GatewayConfig;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed replies end to end: a real nats-server, a real host running GraalPy and GraalJS generators,
 * the gateway over real sockets, the JDK's HTTP client, raw sockets, nats.js under Node, and
 * {@code metropolis request}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class StreamingTest {
    private static final Path NODE = Path.of("src", "test", "node").toAbsolutePath();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path scripts;
    private TestNats server;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private Connection nats;
    private int hostMetricsPort;

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        scripts = folder;
        Files.writeString(scripts.resolve("tokens.py"), """
                # /// metropolis
                # subject = "py.tokens"
                # timeout = "3s"
                # [allow]
                # subjects = ["probe.>"]
                # ///
                import time
                import metropolis

                def handle(body, msg):
                    try:
                        for i in range(1, body["n"] + 1):
                            if i == body.get("fail_at"):
                                raise metropolis.TaskError(f"token {i} is forbidden", code=422)
                            if body.get("progress"):
                                metropolis.publish("probe.progress", str(i))
                            yield body.get("pad", "") + f"token {i}" if i % 2 else {"token": i, "text": "two\\nlines"}
                            if body.get("pause"):
                                time.sleep(body["pause"])
                    except GeneratorExit:
                        metropolis.publish("probe.closed", "python")
                        raise
                """);
        Files.writeString(scripts.resolve("ticks.mjs"), """
                // /// metropolis
                // subject = "js.ticks"
                // timeout = "3s"
                // [allow]
                // subjects = ["probe.>"]
                // ///
                export function* handle(body) {
                  try {
                    for (let i = 1; i <= body.n; i++) {
                      if (body.pause) { const end = Date.now() + body.pause * 1000; while (Date.now() < end) {} }
                      yield { tick: i, version: 1 };
                    }
                  } finally {
                    metropolis.publish('probe.closed', 'js');
                  }
                }
                """);
        server = TestNats.start();
        engines = new Engines();
        hostMetricsPort = dev.metropolis.testkit.FreePort.next();
        host = Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(10), true,
                new dev.metropolis.observe.ObserveAddress("127.0.0.1", hostMetricsPort)), engines).start();
        assertThat(host.problems()).isEmpty();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, server.settings(), 1 << 20, 64, Duration.ofSeconds(1),
                Duration.ofSeconds(2))).start();
        nats = server.connect();
        Await.until(Duration.ofSeconds(20), "the gateway to discover the streaming tasks", () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().stream().filter(route -> route.streams()).count() == 2;
        });
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(nats, gateway, host, engines, server);
    }

    private HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<Stream<String>> lines(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = to(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    }

    @Test
    void serverSentEventsCarryEveryChunkInOrderThenEnd() throws Exception {
        HttpResponse<Stream<String>> response = lines("/py/tokens", "{\"n\": 4}", "Accept", "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(response.body().toList()).containsExactly(
                "id: 1", "data: token 1", "",
                "id: 2", "data: {\"token\":2,\"text\":\"two\\nlines\"}", "",
                "id: 3", "data: token 3", "",
                "id: 4", "data: {\"token\":4,\"text\":\"two\\nlines\"}", "",
                "event: end", "data: {\"chunks\":4}", "");
    }

    @Test
    void withoutEventStreamTheAnswerIsNdjson() throws Exception {
        HttpResponse<Stream<String>> response = lines("/js/ticks", "{\"n\": 3}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        assertThat(response.headers().firstValue("Content-Length")).isEmpty();
        assertThat(response.body().toList()).containsExactly("{\"tick\":1,\"version\":1}", "{\"tick\":2,\"version\":1}",
                "{\"tick\":3,\"version\":1}");
    }

    @Test
    void anErrorMidStreamIsTheLastEventOrLine() throws Exception {
        List<String> events = lines("/py/tokens", "{\"n\": 5, \"fail_at\": 3}", "Accept", "text/event-stream").body().toList();
        assertThat(events).startsWith("id: 1", "data: token 1", "", "id: 2");
        assertThat(events.subList(events.size() - 3, events.size())).containsExactly("event: error",
                "data: {\"error\":\"token 3 is forbidden\",\"code\":422,\"kind\":\"rejected\",\"task\":\"tokens\",\"subject\":\"py.tokens\"}",
                "");
        List<String> ndjson = lines("/py/tokens", "{\"n\": 5, \"fail_at\": 3}").body().toList();
        assertThat(ndjson).hasSize(3);
        assertThat(ndjson.getLast()).startsWith("{\"error\":\"token 3 is forbidden\",\"code\":422");
    }

    @Test
    void anErrorBeforeTheFirstChunkIsAnHttpError() throws Exception {
        HttpResponse<Stream<String>> response = lines("/py/tokens", "{\"n\": 5, \"fail_at\": 1}", "Accept", "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body().toList()).containsExactly(
                "{\"error\":\"token 1 is forbidden\",\"code\":422,\"kind\":\"rejected\",\"task\":\"tokens\",\"subject\":\"py.tokens\"}");
    }

    @Test
    void aClientThatDisconnectsCancelsTheTaskAndFreesItsContext() throws Exception {
        for (String path : List.of("/py/tokens", "/js/ticks")) {
            String task = path.equals("/py/tokens") ? "tokens" : "ticks";
            Subscription closed = nats.subscribe("probe.closed");
            String body = "{\"n\": 100000, \"pause\": 0.02}";
            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
                for (String line = in.readLine(); !line.startsWith("id: 3"); line = in.readLine()) {
                    assertThat(line).isNotNull();
                }
                Await.until(Duration.ofSeconds(5), "the stream to hold a context", () -> host.leasedContexts(task) == 1);
            } // closed mid-stream
            Message probe = closed.nextMessage(Duration.ofSeconds(15));
            assertThat(probe).as(task + "'s generator was closed").isNotNull();
            assertThat(new String(probe.getData(), StandardCharsets.UTF_8)).isEqualTo(task.equals("tokens") ? "python" : "js");
            closed.unsubscribe();
            Await.until(Duration.ofSeconds(10), "the context of " + task + " back in its pool",
                    () -> host.leasedContexts(task) == 0);
            Await.until(Duration.ofSeconds(10), "the host to count the stream as cancelled", () -> hostMetrics().lines()
                    .anyMatch(line -> line.startsWith("metropolis_task_stream_duration_seconds_count{")
                            && line.contains("outcome=\"cancelled\"") && line.contains("task=\"" + task + "\"")));
            Await.until(Duration.ofSeconds(10), "the gateway to count the client as gone", () -> http.send(
                    to("/observe/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body().lines().anyMatch(
                            line -> line.startsWith("metropolis_gateway_stream_duration_seconds_count{")
                                    && line.contains("outcome=\"client_gone\"") && line.contains(path + "\"")));
        }
    }

    @Test
    void aSlowClientHoldsTheHostBackAndStillGetsEveryChunk() throws Exception {
        int chunks = 400;
        String pad = "x".repeat(64 * 1024);
        Subscription progress = nats.subscribe("probe.progress");
        String body = "{\"n\": " + chunks + ", \"progress\": true, \"pad\": \"" + pad + "\"}";
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setReceiveBufferSize(64 * 1024);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /py/tokens HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Reading nothing: the gateway's writes block, it stops acknowledging, the host stops at its window.
            long[] highest = {0};
            Await.until(Duration.ofSeconds(30), "the task to stall", () -> {
                long before = highest[0];
                for (Message m = progress.nextMessage(Duration.ofMillis(1500)); m != null; m = progress.nextMessage(Duration.ofMillis(200))) {
                    highest[0] = Math.max(highest[0], Long.parseLong(new String(m.getData(), StandardCharsets.US_ASCII)));
                }
                return highest[0] > 0 && highest[0] == before;
            });
            assertThat(highest[0]).as("chunks produced while the client read nothing").isLessThan(chunks);
            // Now read it all: complete and in order.
            InputStream in = socket.getInputStream();
            String response = readToEnd(in);
            int last = 0;
            for (String line : response.split("\n")) {
                if (line.startsWith("\"" + pad + "token ") || line.startsWith("{\"token\":")) {
                    int n = line.startsWith("{") ? Integer.parseInt(line.replaceAll("\\{\"token\":(\\d+),.*", "$1"))
                            : Integer.parseInt(line.substring(pad.length() + 7, line.length() - 1));
                    assertThat(n).isEqualTo(last + 1);
                    last = n;
                }
            }
            assertThat(last).isEqualTo(chunks);
        } finally {
            progress.unsubscribe();
        }
    }

    /** Reads a raw chunked HTTP response to its last (empty) chunk; returns its body with the framing removed. */
    private static String readToEnd(InputStream in) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        String tail = "";
        while (true) {
            int read = in.read(buffer);
            assertThat(read).as("the response to go on to its last chunk").isPositive();
            all.write(buffer, 0, read);
            int kept = Math.min(read, 16);
            tail = tail + new String(buffer, read - kept, kept, StandardCharsets.ISO_8859_1);
            tail = tail.substring(Math.max(0, tail.length() - 16));
            if (tail.endsWith("\r\n0\r\n\r\n")) {
                return all.toString(StandardCharsets.UTF_8).replaceAll("\r\n[0-9a-f]+\r\n", "\n");
            }
        }
    }

    @Test
    void aNatsJsClientConsumesAStream() throws Exception {
        Path consumer = NODE.resolve("stream-consumer.mjs");
        if (!Files.isDirectory(NODE.resolve("node_modules").resolve("nats"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), NODE);
        }
        List<String> output = run(List.of("node", consumer.toString(), server.url(), "js.ticks", "{\"n\": 150}"), NODE);
        assertThat(output).hasSize(151);
        for (int i = 1; i <= 150; i++) {
            assertThat(output.get(i - 1)).isEqualTo("chunk " + i + " application/json {\"tick\":" + i + ",\"version\":1}");
        }
        assertThat(output.getLast()).isEqualTo("end 150");
        List<String> failed = run(List.of("node", consumer.toString(), server.url(), "py.tokens", "{\"n\": 3, \"fail_at\": 2}"), NODE);
        assertThat(failed).hasSize(2);
        assertThat(failed.getFirst()).isEqualTo("chunk 1 text/plain; charset=utf-8 token 1");
        assertThat(failed.getLast()).startsWith("error 422 {\"error\":\"token 2 is forbidden\"");
    }

    private static List<String> run(List<String> command, Path directory) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(command + " to finish").isTrue();
        assertThat(process.exitValue()).as(command + " exit status; output: " + lines).isZero();
        return lines;
    }

    @Test
    void metropolisRequestPrintsChunksAsTheyArrive() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RequestCommand.run(new String[] {"--nats", server.url(), "py.tokens", "{\"n\": 3}"}, Map.<String, String>of(),
                InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("token 1",
                "{\"token\":2,\"text\":\"two\\nlines\"}", "token 3");
        out.reset();
        status = RequestCommand.run(new String[] {"--nats", server.url(), "py.tokens", "{\"n\": 3, \"fail_at\": 3}"}, Map.<String, String>of(),
                InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("error 422: {\"error\":\"token 3 is forbidden\"");
    }

    @Test
    void aStreamRunningThroughAHotReloadFinishesOnTheOldVersion() throws Exception {
        Path file = scripts.resolve("ticks.mjs");
        String original = Files.readString(file);
        HttpResponse<Stream<String>> response = lines("/js/ticks", "{\"n\": 20, \"pause\": 0.1}");
        assertThat(response.statusCode()).isEqualTo(200);
        var body = response.body().iterator();
        assertThat(body.next()).isEqualTo("{\"tick\":1,\"version\":1}");
        try {
            Files.writeString(file, original.replace("version: 1", "version: 2"));
            Await.until(Duration.ofSeconds(30), "the new version to answer", () -> lines("/js/ticks", "{\"n\": 1}").body()
                    .toList().equals(List.of("{\"tick\":1,\"version\":2}")));
            List<String> rest = new ArrayList<>();
            body.forEachRemaining(rest::add);
            assertThat(rest).hasSize(19);
            for (int i = 0; i < rest.size(); i++) {
                assertThat(rest.get(i)).isEqualTo("{\"tick\":" + (i + 2) + ",\"version\":1}");
            }
        } finally {
            Files.writeString(file, original);
            Await.until(Duration.ofSeconds(30), "the first version back", () -> lines("/js/ticks", "{\"n\": 1}").body()
                    .toList().equals(List.of("{\"tick\":1,\"version\":1}")));
        }
    }

    @Test
    void aStreamIsOneRequestInStatsAndItsChunksAreCounted() throws Exception {
        io.nats.service.Discovery discovery = new io.nats.service.Discovery(nats, 1000, 1);
        long before = discovery.stats("tokens").getFirst().getEndpointStatsList().getFirst().getNumRequests();
        assertThat(lines("/py/tokens", "{\"n\": 7}").body().toList()).hasSize(7);
        long after = discovery.stats("tokens").getFirst().getEndpointStatsList().getFirst().getNumRequests();
        assertThat(after - before).isEqualTo(1);
        String metrics = http.send(to("/observe/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("metropolis_gateway_stream_chunks_total\\{[^}]*route=\"\\* /py/tokens\"[^}]*} [1-9]");
        assertThat(hostMetrics()).containsPattern("metropolis_task_stream_chunks_total\\{[^}]*task=\"tokens\"[^}]*} [1-9]")
                .containsPattern("metropolis_task_stream_duration_seconds_count\\{[^}]*outcome=\"ok\"[^}]*task=\"tokens\"");
    }

    private String hostMetrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostMetricsPort + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

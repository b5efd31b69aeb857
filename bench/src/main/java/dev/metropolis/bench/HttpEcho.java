package dev.metropolis.bench;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The references for HTTP: a plain Helidon SE server whose {@code POST /echo} returns the request body
 * (the ceiling) and, with {@code --nats}, whose {@code POST /nats/SUBJECT} makes one NATS request with
 * the body and returns the reply: the least an HTTP-to-NATS bridge must do, without the gateway's
 * routing, headers and error mapping.
 */
final class HttpEcho {
    private HttpEcho() {}

    static void run(Args args) throws Exception {
        String natsUrl = args.get("nats", "");
        Connection nats = natsUrl.isEmpty() ? null
                : Nats.connect(Options.builder().server(natsUrl).connectionName("bench-http-nats").build());
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(args.integer("port", 0))
                .routing(routing -> {
                    routing.post("/echo", (req, res) -> {
                        req.headers().contentType().ifPresent(type -> res.header(HeaderNames.CONTENT_TYPE, type.text()));
                        res.send(body(req));
                    });
                    if (nats != null) {
                        routing.post("/nats/{subject}", (req, res) -> bridge(nats, req, res));
                    }
                })
                .build()
                .start();
        System.out.println("ready: helidon echo on http://127.0.0.1:" + server.port() + "/echo");
        System.out.flush();
    }

    /**
     * The body, read into an array of its Content-Length as the gateway reads it (faster than
     * {@code content().as(byte[].class)}, which reads to the end through a 16 KiB buffer), so the
     * ceiling is not lowered by a slower read than the gateway's.
     */
    private static byte[] body(ServerRequest req) throws IOException {
        OptionalLong length = req.headers().contentLength();
        try (InputStream in = req.content().inputStream()) {
            return length.isPresent() ? in.readNBytes((int) length.getAsLong()) : in.readAllBytes();
        }
    }

    private static void bridge(Connection nats, ServerRequest req, ServerResponse res) throws Exception {
        Headers headers = new Headers();
        req.headers().contentType().ifPresent(type -> headers.put("Content-Type", type.text()));
        Message reply = nats.requestWithTimeout(req.path().pathParameters().get("subject"), headers,
                body(req), Duration.ofSeconds(10)).get(11, TimeUnit.SECONDS);
        String type = reply.hasHeaders() ? reply.getHeaders().getFirst("Content-Type") : null;
        if (type != null) {
            res.header(HeaderNames.CONTENT_TYPE, type);
        }
        res.send(reply.getData());
    }
}

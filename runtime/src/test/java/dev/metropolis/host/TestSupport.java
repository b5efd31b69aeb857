package dev.metropolis.host;

import dev.metropolis.guest.Engines;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared fixtures for tests that run a real host against a real nats-server. */
final class TestSupport {
    /**
     * One set of engines for the whole test JVM: the first Python context of a JVM costs several
     * seconds; later ones on the same engine well under one.
     */
    static final Engines ENGINES = new Engines();

    /** The repository's example scripts. */
    static final Path EXAMPLES = Path.of("..", "scripts").toAbsolutePath().normalize();

    private TestSupport() {}

    /** Copies test scripts (from src/test/resources/scripts) into {@code folder}. */
    static Path withTestScripts(Path folder, String... names) throws IOException {
        for (String name : names) {
            try (InputStream in = TestSupport.class.getResourceAsStream("/scripts/" + name)) {
                if (in == null) {
                    throw new IOException("no test script " + name);
                }
                Files.copy(in, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return folder;
    }

    /** Copies the repository's example scripts into {@code folder}. */
    static Path withExamples(Path folder) throws IOException {
        return dev.metropolis.testkit.Folders.copy(EXAMPLES, folder); // with schemas/ and durable/
    }

    static Connection client(int port) throws IOException, InterruptedException {
        return Nats.connect(Options.builder().server("nats://127.0.0.1:" + port).reportNoResponders()
                .connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /** A request that waits for its reply (or a no-responders status) for up to 10 s. */
    static Message request(Connection nats, String subject, Headers headers, byte[] body) throws Exception {
        return nats.requestWithTimeout(subject, headers, body, Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    }

    static Message request(Connection nats, String subject, String body) throws Exception {
        return request(nats, subject, null, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String text(Message message) {
        return new String(message.getData(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The error code of a micro-service error reply, or 0 for a success. */
    static int errorCode(Message message) {
        Headers headers = message.getHeaders();
        if (headers == null || headers.getFirst("Nats-Service-Error-Code") == null) {
            return 0;
        }
        return Integer.parseInt(headers.getFirst("Nats-Service-Error-Code"));
    }

    static String header(Message message, String name) {
        return message.getHeaders() == null ? null : message.getHeaders().getFirst(name);
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}

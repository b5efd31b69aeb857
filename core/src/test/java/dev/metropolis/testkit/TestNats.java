package dev.metropolis.testkit;

import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.time.Duration;
import java.util.Map;

/** A real nats-server (with JetStream) on a free port of 127.0.0.1, for one test class or one test. */
public final class TestNats implements AutoCloseable {
    private final int port;
    /** JetStream's store, kept across {@link #restart()} (a restarted server finds its streams), removed on close. */
    private final Path storeDir;
    private LocalNatsServer server;

    private TestNats(int port, Path storeDir) throws IOException {
        this.port = port;
        this.storeDir = storeDir;
        this.server = LocalNatsServer.startWithStore(port, storeDir, env());
    }

    /** Starts a server and returns once it accepts connections. */
    public static TestNats start() throws IOException {
        return new TestNats(FreePort.next(), Files.createTempDirectory("metropolis-test-nats-"));
    }

    /** The environment nats-server is looked up in (NATS_SERVER_PATH, PATH). */
    private static Map<String, String> env() {
        return System.getenv();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** Settings that reach this server, without authentication. */
    public NatsSettings settings() {
        return NatsSettings.of(url());
    }

    /** A client that reports "no responders" (a 503 status) instead of letting a request time out. */
    public Connection connect() throws IOException, InterruptedException {
        return Nats.connect(Options.builder().server(url()).reportNoResponders()
                .connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /** Stops the server (an outage, as clients see it); {@link #restart()} brings it back on the same port. */
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts the server again on the same port, with the same JetStream store. */
    public void restart() throws IOException {
        stop();
        server = LocalNatsServer.startWithStore(port, storeDir, env());
    }

    @Override
    public void close() {
        stop();
        try (var files = Files.walk(storeDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + storeDir, e);
        }
    }
}

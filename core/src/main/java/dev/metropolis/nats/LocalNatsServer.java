package dev.metropolis.nats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A nats-server child process on 127.0.0.1: development mode's NATS when none runs, and the tests'. */
public final class LocalNatsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalNatsServer.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    /** JetStream's store, removed on close; null without JetStream. */
    private final Path storeDir;

    private LocalNatsServer(Process process, Path storeDir) {
        this.process = process;
        this.storeDir = storeDir;
    }

    /**
     * Starts nats-server on 127.0.0.1 at the port of {@code url} unless something already answers
     * there. Returns empty when a server was already running (it is used as is).
     */
    public static Optional<LocalNatsServer> startUnlessRunning(String url, Map<String, String> env) throws IOException {
        URI uri = URI.create(url.contains("://") ? url : "nats://" + url);
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : 4222;
        if (answers(host, port)) {
            LOG.log(Level.INFO, "using the NATS server already running at {0}:{1}", new Object[] {host, String.valueOf(port)});
            return Optional.empty();
        }
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            throw new IOException("no NATS server answers at " + url + ", and dev mode only starts one on 127.0.0.1");
        }
        LocalNatsServer server = start(port, env);
        LOG.log(Level.INFO, "started a local nats-server on 127.0.0.1:{0}; it stops with this process", String.valueOf(port));
        return Optional.of(server);
    }

    /** Starts nats-server on 127.0.0.1:{@code port}, with JetStream, and waits until it accepts connections. */
    public static LocalNatsServer start(int port, Map<String, String> env) throws IOException {
        Path storeDir = Files.createTempDirectory("metropolis-nats-");
        return start(port, List.of("-js", "-sd", storeDir.toString()), storeDir, ProcessBuilder.Redirect.DISCARD, env);
    }

    /**
     * Starts nats-server on 127.0.0.1:{@code port} with JetStream storing in {@code storeDir}, which
     * the caller owns (it survives close), so a restarted server finds its streams and messages.
     */
    public static LocalNatsServer startWithStore(int port, Path storeDir, Map<String, String> env) throws IOException {
        return start(port, List.of("-js", "-sd", storeDir.toString()), null, ProcessBuilder.Redirect.DISCARD, env);
    }

    /**
     * Starts nats-server on 127.0.0.1:{@code port} with {@code arguments} added to its command line
     * (cluster routes, a monitoring port, ...), its output appended to {@code log}, and waits until
     * it accepts connections. Without JetStream: a JetStream cluster needs a quorum, which tests
     * that kill servers would keep losing.
     */
    public static LocalNatsServer start(int port, List<String> arguments, Path log, Map<String, String> env) throws IOException {
        return start(port, arguments, null, ProcessBuilder.Redirect.appendTo(log.toFile()), env);
    }

    private static LocalNatsServer start(int port, List<String> arguments, Path storeDir, ProcessBuilder.Redirect output,
            Map<String, String> env) throws IOException {
        Path binary = findBinary(env).orElseThrow(() -> new IOException("no NATS server answers on port " + port
                + " and nats-server is not installed. Install it (Debian/Ubuntu: apt-get install nats-server;"
                + " elsewhere: https://github.com/nats-io/nats-server/releases) or point --nats / NATS_URL at a running server"));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-a", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
        LocalNatsServer server = new LocalNatsServer(process, storeDir);
        server.awaitListening("127.0.0.1", port);
        return server;
    }

    private void awaitListening(String host, int port) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers(host, port)) {
            if (!process.isAlive()) {
                throw new IOException("nats-server exited with code " + process.exitValue()
                        + " (is port " + port + " taken by something else?)");
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IOException("nats-server did not listen on port " + port + " within " + START_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(50); // polling a child's port; there is no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting nats-server", e);
            }
        }
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Path> findBinary(Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        for (String variable : List.of("NATS_SERVER_PATH", "nats_server_path")) {
            if (env.get(variable) != null) {
                candidates.add(Path.of(env.get(variable)));
            }
        }
        for (String dir : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "nats-server"));
            }
        }
        candidates.add(Path.of("/usr/sbin/nats-server"));
        candidates.add(Path.of("/usr/local/bin/nats-server"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Kills the server at once (SIGKILL), as a crash would: no lame-duck mode, no goodbye to clients or routes. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        if (storeDir == null) {
            return;
        }
        try (var files = Files.walk(storeDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.log(Level.FINE, "could not remove " + storeDir, e);
        }
    }
}

package dev.metropolis.cluster;

import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code metropolis host} as a separate OS process, started with this JVM's java binary, JIT
 * flags and class path, so a test can SIGTERM or lose it like a real deployment would. Its output
 * goes to a log file, which {@link #describe()} returns for failure messages.
 */
public final class HostProcess implements AutoCloseable {
    /** Logged once the host's metrics endpoint listens, which is after "host ready in": every script serves by then. */
    private static final String READY = "host ready in"; // logged once the metrics endpoint listens too
    private static final Pattern OK_INVOCATIONS =
            Pattern.compile("^metropolis_task_invocations_total\\{(?<labels>[^}]*)} (?<value>[0-9.eE+]+)$", Pattern.MULTILINE);

    private final String name;
    private final Process process;
    private final Path log;
    private final int metricsPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HostProcess(String name, Process process, Path log, int metricsPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.metricsPort = metricsPort;
    }

    /** Starts a host serving {@code scripts} on {@code natsUrls} (comma-separated); see {@link #awaitReady}. */
    public static HostProcess start(String name, Path scripts, String natsUrls, Duration drainTimeout, Path logs)
            throws IOException {
        return start(name, scripts, natsUrls, drainTimeout, logs, List.of());
    }

    /** Starts a host as {@link #start(String, Path, String, Duration, Path)} does, with extra JVM flags ({@code -Xmx256m}). */
    public static HostProcess start(String name, Path scripts, String natsUrls, Duration drainTimeout, Path logs,
            List<String> jvmFlags) throws IOException {
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        int metricsPort = FreePort.next();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow(() -> new IOException("this JVM's java binary is unknown")));
        command.addAll(jvmArguments());
        command.addAll(jvmFlags); // after the test JVM's own, so they win
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.metropolis.cli.Main", "host",
                "--scripts", scripts.toString(), "--nats", natsUrls,
                "--drain-timeout", drainTimeout.toMillis() + "ms",
                "--metrics-host", "127.0.0.1", "--metrics-port", String.valueOf(metricsPort)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new HostProcess(name, process, log, metricsPort);
    }

    /** The test JVM's own flags (the Graal JIT's among them), without a debugger agent that would clash on its port. */
    private static List<String> jvmArguments() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(argument -> !argument.startsWith("-agentlib:jdwp"))
                .toList();
    }

    /**
     * Waits until every script serves and the metrics endpoint listens; fails with the host's log
     * if it exits or takes too long.
     */
    public HostProcess awaitReady(Duration timeout) {
        try {
            Await.until(timeout, name + " to be ready", () -> {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with code " + process.exitValue() + " before it was ready\n"
                            + describe());
                }
                return output().contains(READY);
            });
        } catch (AssertionError e) {
            if (!process.isAlive()) {
                throw e;
            }
            throw new AssertionError(name + " was not ready within " + timeout.toSeconds() + " s\n" + describe(), e);
        }
        return this;
    }

    /** Messages of {@code task} this host answered successfully so far, from its metrics endpoint. */
    public long answered(String task) {
        long total = 0;
        Matcher matcher = OK_INVOCATIONS.matcher(metrics());
        while (matcher.find()) {
            String labels = matcher.group("labels");
            if (labels.contains("task=\"" + task + "\"") && labels.contains("outcome=\"ok\"")) {
                total += (long) Double.parseDouble(matcher.group("value"));
            }
        }
        return total;
    }

    private String metrics() {
        URI uri = URI.create("http://127.0.0.1:" + metricsPort + "/observe/metrics");
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + "'s metrics at " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + uri, e);
        }
    }

    /**
     * Sends SIGTERM and waits for the process to exit; returns its exit code. Fails, with the log,
     * when it is still running after {@code timeout}.
     */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " was still running " + timeout.toSeconds() + " s after SIGTERM\n" + describe());
        }
        return process.exitValue();
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM kill would: no drain, no goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    /** The host's name, state and whole log: what a failure message needs. */
    public String describe() {
        return "---- " + name + " (" + (process.isAlive() ? "running" : "exit code " + process.exitValue()) + "), log "
                + log + " ----\n" + output() + "---- end of " + name + " ----";
    }

    private String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Kills the process if it still runs (a test that failed half-way). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}

package dev.metropolis.host;

import dev.metropolis.guest.Engines;
import dev.metropolis.guest.GuestContexts;
import dev.metropolis.guest.SharedHttpClient;
import dev.metropolis.guest.TaskServices;
import dev.metropolis.observe.Observability;
import dev.metropolis.observe.TelemetryBuilder;
import dev.metropolis.serve.TaskMetrics;
import dev.metropolis.nats.NatsConnections;
import dev.metropolis.runner.Watchdog;
import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptFolder;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.trace.Tracing;
import dev.metropolis.watch.FolderWatcher;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.WebServer;
import io.nats.client.Connection;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import dev.metropolis.stream.StreamRuntime;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host: serves every script of a folder on NATS from warm context pools, and with
 * {@code watch} follows the folder as it changes. Scripts that cannot be served are logged with
 * the reason; the others serve regardless.
 */
public final class Host implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Host.class.getName());
    /** How long the folder must be quiet before changes apply: an editor's save is several events. */
    private static final Duration QUIET = Duration.ofMillis(100);
    /** The rescan that catches changes file events miss (bind mounts, network file systems). */
    private static final Duration POLL = Duration.ofSeconds(1);

    private final HostConfig config;
    private final ScriptFolder folder;
    private final Map<Language, ExecutorService> creators = new EnumMap<>(Language.class);
    /** The clock of every deadline: the runners compute them on it and the watchdog measures them on it. */
    private final LongSupplier nanoTime = System::nanoTime;
    private final Watchdog watchdog = new Watchdog(nanoTime, true);
    private final ExecutorService retirer =
            Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon(true).name("script-retirer-", 1).factory());
    /** In-progress marks, consumer-state reads and schedule ticks of the stream bindings. */
    private final ScheduledExecutorService streamTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon(true).name("stream-timer").factory());
    /** Acks, naks, dead letters and ticks: network round trips, kept off the guest workers and the timer. */
    private final ExecutorService settler =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("stream-settler-", 1).factory());
    private final ScriptSet scripts;
    private final GuestContexts contexts;
    private final CompletableFuture<Connection> nats;
    private final MeterRegistry registry;
    /** The client of the scripts' HTTP requests: shared, so connections are reused across messages. */
    private final SharedHttpClient http = new SharedHttpClient();
    private FolderWatcher watcher;
    private WebServer observe;

    private Host(HostConfig config, Engines engines, MeterRegistry registry, Tracing tracing, Map<String, String> environment) {
        this.config = config;
        this.registry = registry;
        TaskMetrics metrics = new TaskMetrics(registry);
        this.folder = new ScriptFolder(config.scriptsDir());
        // Context creation is CPU-bound (a Python context takes 0.5-1 s, the first one several seconds).
        // As many creator threads per language as cores: more only thrash them, fewer let one slow
        // script's load hold the others back (the load timeout bounds how long). Per language, so
        // JS contexts (milliseconds) never queue behind Python ones.
        int cores = Math.max(2, Runtime.getRuntime().availableProcessors()); // two at least: one stuck load leaves one free
        for (Language language : Language.values()) {
            creators.put(language, Executors.newFixedThreadPool(cores,
                    Thread.ofPlatform().daemon(true).name("context-creator-" + language.id() + "-", 1).factory()));
        }
        this.contexts = new GuestContexts(engines, new TaskServices(() -> connection(), tracing, environment,
                config.secretsDir(), http, config.maxHttpResponseBytes()), config.loadTimeout());
        this.scripts = new ScriptSet(folder.root(), contexts, creators::get,
                watchdog, nanoTime, config.drainTimeout(), retirer, metrics, tracing,
                connection -> new StreamRuntime(connection, config.missingStreams(), config.drainTimeout(), metrics,
                        streamTimer, settler, Clock.systemUTC(), nanoTime),
                new EventPublisher(HostNames.local(), () -> connection(), Clock.systemUTC()));
        // Connecting may block for as long as NATS is down: it gets its own thread, not a creator.
        this.nats = CompletableFuture.supplyAsync(this::connect,
                task -> Thread.ofPlatform().daemon(true).name("nats-connect").start(task));
    }

    /** A host for {@code config} with guest code on {@code engines} (which the caller closes). */
    public static Builder builder(HostConfig config, Engines engines) {
        return new Builder(config, engines);
    }

    /** What a host is given besides its configuration; see {@link TelemetryBuilder} for the defaults. */
    public static final class Builder extends TelemetryBuilder<Builder> {
        private final HostConfig config;
        private final Engines engines;
        private Map<String, String> environment = Map.of();

        private Builder(HostConfig config, Engines engines) {
            this.config = Objects.requireNonNull(config, "config");
            this.engines = Objects.requireNonNull(engines, "engines");
        }

        /** The variables scripts may be granted with {@code [allow] env} (default: none). */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /**
         * Starts the host and returns once every loadable script serves its subjects. Blocks while
         * NATS is unreachable, retrying, so a host started before NATS comes up by itself.
         */
        public Host start() throws IOException {
            return Host.startServing(new Host(config, engines, registry(), tracing(), environment), engines);
        }
    }

    private static Host startServing(Host host, Engines engines) throws IOException {
        long started = System.nanoTime();
        HostConfig config = host.config;
        try {
            host.logRuntime(engines);
            var files = host.folder.scriptFiles();
            LOG.log(Level.INFO, "loading {0} script file(s) from {1}", new Object[] {files.size(), host.folder.root()});
            host.logSubfolders();
            host.scripts.apply(files, host.nats);
            host.nats.join();
            if (config.observe().enabled()) {
                host.observe = Observability.startEndpoint(config.observe(), host::natsStatus, host.registry,
                        Observability.liveness("watchdog", host.watchdog::isAlive));
            }
            if (config.watch()) {
                host.watcher = new FolderWatcher(host.folder, QUIET, POLL, changed -> host.scripts.apply(changed, host.nats));
                host.watcher.start();
                // While following edits, a spare Python context makes a saved or added script answer sooner.
                host.contexts.keepSpares(host.folder.root());
            }
            LOG.log(Level.INFO, "host ready in {0} ms: {1}", new Object[] {
                String.valueOf((System.nanoTime() - started) / 1_000_000), ReadyReport.of(host.served(), host.problems())});
            return host;
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** Said once at start: scripts in subfolders are not served (subfolders hold modules scripts import). */
    private void logSubfolders() throws IOException {
        if (!java.nio.file.Files.isDirectory(folder.root())) {
            return; // the folder's own error is reported where its files are listed
        }
        try (var entries = java.nio.file.Files.list(folder.root())) {
            List<String> subfolders = entries.filter(java.nio.file.Files::isDirectory)
                    .map(path -> path.getFileName().toString()).filter(name -> !name.startsWith(".")).sorted().toList();
            if (!subfolders.isEmpty()) {
                LOG.log(Level.INFO, "subfolder(s) {0} of {1}: not served; only files directly in the scripts folder are"
                        + " tasks, subfolders hold modules that scripts import (see README, \"Errors and limits\")",
                        new Object[] {String.join(", ", subfolders), folder.root()});
            }
        }
    }

    private void logRuntime(Engines engines) {
        String runtime = engines.runtimeName();
        if (engines.isCompiling()) {
            LOG.log(Level.INFO, "Truffle runtime: {0} (guest code is JIT-compiled)", runtime);
        } else {
            LOG.log(Level.WARNING, "Truffle runtime: {0}. GUEST CODE RUNS IN THE INTERPRETER, about 10x slower:"
                    + " start the JVM with -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI"
                    + " --upgrade-module-path=<Graal compiler jars> (./metropolis does this)", runtime);
        }
    }

    private Connection connect() {
        try {
            return NatsConnections.connect(config.nats(), "metropolis-host");
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /** The scripts that could not be served (or reloaded), with their reasons. */
    public List<ScriptProblem> problems() {
        return scripts.problems();
    }

    /** The script versions being served. */
    public List<TaskScript> served() {
        return scripts.served();
    }

    /** Contexts alive in the served versions' pools. */
    public int liveContexts() {
        return scripts.liveContexts();
    }

    /** Contexts alive in the pool of one task's serving version (0 when not served). */
    public int liveContexts(String task) {
        return scripts.liveContexts(task);
    }

    /** Contexts of one task's serving version leased to a call right now (0 when none runs, or it is not served). */
    public int leasedContexts(String task) {
        return scripts.leasedContexts(task);
    }

    public HostConfig config() {
        return config;
    }

    public Connection connection() {
        return nats.getNow(null);
    }

    /** The state of the host's NATS connection (its readiness: ready while connected). */
    public Connection.Status natsStatus() {
        Connection connection = connection();
        return connection == null ? Connection.Status.DISCONNECTED : connection.getStatus();
    }

    /**
     * Stops serving: every service leaves discovery and drains, in-flight messages finish (up to
     * the drain timeout), then contexts and the NATS connection close.
     */
    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        Connection connection = connection();
        // Draining needs the server: during an outage, subscriptions are dropped without it.
        boolean connected = connection != null && connection.getStatus() == Connection.Status.CONNECTED;
        scripts.clear().parallelStream().forEach(service -> service.retire(connected));
        retirer.shutdown();
        awaitTermination(retirer, config.drainTimeout().plusSeconds(1));
        streamTimer.shutdownNow();
        settler.shutdown();
        awaitTermination(settler, Duration.ofSeconds(5));
        nats.cancel(true);
        if (connection != null) {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        watchdog.close();
        contexts.close();
        creators.values().forEach(ExecutorService::shutdownNow);
        creators.values().forEach(creator -> awaitTermination(creator, Duration.ofSeconds(5)));
        if (observe != null) {
            observe.stop();
        }
        http.close();
    }

    private static void awaitTermination(ExecutorService executor, Duration timeout) {
        try {
            executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

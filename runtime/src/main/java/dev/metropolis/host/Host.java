package dev.metropolis.host;

import dev.metropolis.guest.Engines;
import dev.metropolis.guest.GuestContext;
import dev.metropolis.guest.GuestContexts;
import dev.metropolis.nats.NatsConnections;
import dev.metropolis.nats.TaskService;
import dev.metropolis.pool.ContextPool;
import dev.metropolis.runner.TaskRunner;
import dev.metropolis.script.Durations;
import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptFolder;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import io.nats.client.Connection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host: loads the scripts folder, warms a pool per script and serves each script's subjects
 * on NATS. Scripts that cannot be served are logged with the reason; the others serve regardless.
 */
public final class Host implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Host.class.getName());

    private final HostConfig config;
    private final GuestContexts contexts;
    private final Map<Language, ExecutorService> creators = new EnumMap<>(Language.class);
    private final ScheduledExecutorService watchdog;
    private final List<TaskService> services = Collections.synchronizedList(new ArrayList<>());
    private final List<ScriptProblem> problems = Collections.synchronizedList(new ArrayList<>());
    private Connection connection;

    private Host(HostConfig config, Engines engines) {
        this.config = config;
        this.contexts = new GuestContexts(engines);
        // Context creation is CPU-bound (a Python context takes 0.5-1 s, the first one several seconds).
        // One creator thread per language: parallel Python creations only thrash the cores, and JS
        // contexts (milliseconds) must not queue behind Python ones.
        for (Language language : Language.values()) {
            creators.put(language, Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().daemon(true).name("context-creator-" + language.id()).factory()));
        }
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(2,
                Thread.ofPlatform().daemon(true).name("task-watchdog-", 1).factory());
        timers.setRemoveOnCancelPolicy(true); // finished calls must not leave their timers queued
        this.watchdog = timers;
    }

    /**
     * Starts a host and returns once every loadable script serves its subjects. Blocks while NATS
     * is unreachable, retrying, so a host started before NATS comes up by itself.
     */
    public static Host start(HostConfig config, Engines engines) throws IOException {
        long started = System.nanoTime();
        Host host = new Host(config, engines);
        try {
            host.logRuntime(engines);
            // Connecting may block for as long as NATS is down: it gets its own thread, not a creator.
            CompletableFuture<Connection> nats = CompletableFuture.supplyAsync(host::connect,
                    task -> Thread.ofPlatform().daemon(true).name("nats-connect").start(task));
            List<CompletableFuture<Void>> serving = new ArrayList<>();
            for (TaskScript script : host.loadScripts()) {
                CompletableFuture<TaskRunner> warm = CompletableFuture.supplyAsync(() -> host.warm(script),
                        host.creators.get(script.language()));
                serving.add(warm.thenCombine(nats, host::serve));
            }
            host.connection = join(nats);
            serving.forEach(Host::join);
            LOG.log(Level.INFO, "host ready in {0} ms: {1} task(s) serving, {2} script(s) not served", new Object[] {
                String.valueOf((System.nanoTime() - started) / 1_000_000), host.services.size(), host.problems.size()});
            return host;
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
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

    /** Reads every script file; files without a header or with a bad one are logged and skipped. */
    private List<TaskScript> loadScripts() throws IOException {
        ScriptFolder folder = new ScriptFolder(config.scriptsDir());
        List<Path> files = folder.scriptFiles();
        LOG.log(Level.INFO, "loading {0} script file(s) from {1}", new Object[] {files.size(), folder.root()});
        List<TaskScript> scripts = new ArrayList<>();
        for (Path file : files) {
            try {
                Optional<TaskScript> script = TaskScript.load(file);
                if (script.isPresent()) {
                    scripts.add(script.get());
                } else {
                    LOG.log(Level.WARNING, "{0}: not served: the file has no ''/// metropolis'' header"
                            + " declaring its subject (see README, \"Script header\")", file);
                }
            } catch (ScriptProblem problem) {
                reject(problem);
            }
        }
        return withoutConflicts(scripts);
    }

    /** Two scripts may not serve the same subject in the same queue group: the first by file name wins. */
    private List<TaskScript> withoutConflicts(List<TaskScript> scripts) {
        Map<String, TaskScript> owners = new HashMap<>();
        List<TaskScript> accepted = new ArrayList<>();
        for (TaskScript script : scripts) {
            Optional<String> clash = script.header().subjects().stream()
                    .filter(subject -> owners.containsKey(subject + " " + script.header().queue()))
                    .findFirst();
            if (clash.isPresent()) {
                TaskScript owner = owners.get(clash.get() + " " + script.header().queue());
                reject(new ScriptProblem(script.file(), 0, "subject '" + clash.get() + "' in queue '" + script.header().queue()
                        + "' is already served by " + owner.file().getFileName() + "; give one of them another subject or queue"));
                continue;
            }
            script.header().subjects().forEach(subject -> owners.put(subject + " " + script.header().queue(), script));
            accepted.add(script);
        }
        return accepted;
    }

    /** Builds a script's pool and runner and creates its first context, which proves the script loads. */
    private TaskRunner warm(TaskScript script) {
        ContextPool<GuestContext> pool = new ContextPool<>(script.name(), script.header().concurrency(),
                contexts.factory(script), creators.get(script.language()), System::nanoTime);
        try {
            long started = System.nanoTime();
            pool.warmUp();
            LOG.log(Level.INFO, "{0}: first context ready in {1} ms",
                    new Object[] {script.file().getFileName(), String.valueOf((System.nanoTime() - started) / 1_000_000)});
            return new TaskRunner(script, pool, watchdog, System::nanoTime);
        } catch (ScriptProblem problem) {
            pool.close();
            reject(problem);
            return null;
        } catch (Exception e) {
            pool.close();
            reject(new ScriptProblem(script.file(), 0, "could not create a context: " + e, e));
            return null;
        }
    }

    private Void serve(TaskRunner runner, Connection nats) {
        if (runner == null) {
            return null;
        }
        services.add(TaskService.start(nats, runner, config.drainTimeout()));
        TaskScript script = runner.script();
        LOG.log(Level.INFO, "serving {0} (queue {1}) with {2} [{3}, concurrency {4}, timeout {5}]", new Object[] {
            String.join(", ", script.header().subjects()), script.header().queue(), script.file().getFileName(),
            script.language().id(), String.valueOf(script.header().concurrency()), Durations.format(script.header().timeout())});
        return null;
    }

    private void reject(ScriptProblem problem) {
        problems.add(problem);
        LOG.log(Level.WARNING, "not served: {0}", problem.getMessage());
    }

    /** The scripts that could not be served, with their reasons. */
    public List<ScriptProblem> problems() {
        return List.copyOf(problems);
    }

    /** The tasks being served. */
    public List<TaskScript> served() {
        synchronized (services) {
            return services.stream().map(service -> service.runner().script()).toList();
        }
    }

    public HostConfig config() {
        return config;
    }

    public Connection connection() {
        return connection;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /**
     * Stops serving: every service leaves discovery and drains, in-flight messages finish (up to
     * the drain timeout), then contexts and the NATS connection close.
     */
    @Override
    public void close() {
        List<TaskService> stopping;
        synchronized (services) {
            stopping = List.copyOf(services);
            services.clear();
        }
        // Draining needs the server: during an outage, subscriptions are dropped without it.
        boolean connected = connection != null && connection.getStatus() == Connection.Status.CONNECTED;
        stopping.parallelStream().forEach(service -> {
            service.stop(connected);
            service.runner().close(config.drainTimeout());
        });
        if (connection != null) {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        watchdog.shutdownNow();
        creators.values().forEach(ExecutorService::shutdownNow);
        try {
            for (ExecutorService creator : creators.values()) {
                creator.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

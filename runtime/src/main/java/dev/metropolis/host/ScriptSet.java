package dev.metropolis.host;

import dev.metropolis.guest.GuestContext;
import dev.metropolis.guest.GuestContexts;
import dev.metropolis.guest.GuestFactory;
import dev.metropolis.script.ScriptFolder;
import dev.metropolis.serve.TaskMetrics;
import dev.metropolis.serve.Binding;
import dev.metropolis.serve.TaskService;
import dev.metropolis.script.Trigger;
import dev.metropolis.stream.StreamBinding;
import dev.metropolis.stream.StreamRuntime;
import dev.metropolis.pool.ContextPool;
import dev.metropolis.runner.TaskRunner;
import dev.metropolis.runner.Watchdog;
import dev.metropolis.task.Durations;
import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.trace.Tracing;
import io.nats.client.Connection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The scripts a host serves, kept in step with the files: the same step loads the folder at start
 * and applies each batch of changes while running. What a batch does is decided by a
 * {@link ReloadPlan}; this carries it out: a new version is warmed before it takes over, the old
 * one drains its in-flight calls and closes, and a version that fails to load leaves the
 * previous one serving.
 */
final class ScriptSet {
    private static final Logger LOG = Logger.getLogger(ScriptSet.class.getName());

    private final GuestContexts contexts;
    private final Function<Language, ExecutorService> creators;
    private final Watchdog watchdog;
    private final LongSupplier nanoTime;
    private final Duration drainTimeout;
    private final ExecutorService retirer;
    private final TaskMetrics metrics;
    private final Tracing tracing;
    /** What stream and schedule bindings share, for a connection. */
    private final Function<Connection, StreamRuntime> streams;
    /** The binding of each served file, in the order the files were first served. */
    private final Map<Path, Binding> served = new LinkedHashMap<>();
    private final Map<Path, ScriptProblem> problems = new LinkedHashMap<>();
    /** Files refused because another file serves their subject: they may take it over when that one changes or goes. */
    private final Set<Path> refusedForConflict = new HashSet<>();
    /** The real paths each served version read while loading: what reloads it besides its own file. */
    private final Map<Path, Set<Path>> reads = new LinkedHashMap<>();
    /** Header-less files of this batch: warned about unless a served script imports them. */
    private final Set<Path> headerless = new java.util.TreeSet<>();
    private final Path root;
    private final ScriptEvents events;

    /**
     * @param creators     the thread that warms a language's versions
     * @param nanoTime     the clock of pools and runners (the watchdog's too)
     * @param drainTimeout how long a retired version gets to finish its calls
     * @param retirer      where retired versions drain and close
     * @param events       told of every script served, reloaded, refused or stopped
     */
    ScriptSet(Path root, GuestContexts contexts, Function<Language, ExecutorService> creators, Watchdog watchdog,
            LongSupplier nanoTime, Duration drainTimeout, ExecutorService retirer, TaskMetrics metrics, Tracing tracing,
            Function<Connection, StreamRuntime> streams, ScriptEvents events) {
        this.root = root.toAbsolutePath().normalize();
        this.events = events;
        this.streams = streams;
        this.contexts = contexts;
        this.creators = creators;
        this.watchdog = watchdog;
        this.nanoTime = nanoTime;
        this.drainTimeout = drainTimeout;
        this.retirer = retirer;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    /**
     * Brings the served set in line with {@code files} (each present, changed, or gone). New
     * versions are warmed in parallel, one creator thread per language; each serves as soon as it
     * is warm, waiting for {@code nats} if the connection is not up yet. Files refused earlier
     * because another file served their subject are tried again afterwards, so one takes the
     * subject over when its owner is deleted or moves to another subject.
     */
    synchronized void apply(Collection<Path> files, CompletableFuture<Connection> nats) {
        Set<Path> tasks = new java.util.TreeSet<>(files.stream().filter(this::isTaskFile).toList());
        // A changed helper, package or data file reloads the scripts that read it; a module that did
        // not exist yet may be what a refused script was missing, so those are tried again too.
        Set<Path> stale = new ImportGraph(reads).dependents(files.stream().map(ScriptSet::real).toList());
        if (files.stream().anyMatch(file -> !tasks.contains(file) || headerlessNow(file))) {
            problems.keySet().stream().filter(file -> !files.contains(file)).forEach(stale::add);
        }
        tasks.addAll(stale);
        update(tasks, stale, nats);
        Set<Path> waiting = new HashSet<>(refusedForConflict);
        waiting.removeAll(tasks);
        if (!waiting.isEmpty()) {
            update(waiting, Set.of(), nats); // a refused file whose subject was freed now serves; still clashing, it stays refused quietly
        }
        warnAboutHeaderless();
    }

    /** A task candidate is a script file directly in the folder; files in subfolders are modules, packages or data. */
    private boolean isTaskFile(Path file) {
        return ScriptFolder.isCandidate(file) && root.equals(file.toAbsolutePath().normalize().getParent());
    }

    private boolean headerlessNow(Path file) {
        return isTaskFile(file) && FileChange.read(file) instanceof FileChange.NoHeader;
    }

    /** The file's real path (what the guest file system records), or its own path once deleted. */
    private static Path real(Path file) {
        try {
            return file.toRealPath();
        } catch (java.io.IOException e) {
            Path parent = file.toAbsolutePath().getParent();
            try {
                return parent.toRealPath().resolve(file.getFileName());
            } catch (java.io.IOException gone) {
                return file.toAbsolutePath().normalize(); // its folder is gone too
            }
        }
    }

    /** "Not served: no header" only for header-less files nothing imports: the others are modules. */
    private void warnAboutHeaderless() {
        ImportGraph graph = new ImportGraph(reads);
        for (Path file : headerless) {
            if (graph.isImported(real(file))) {
                LOG.log(Level.FINE, "{0}: a module (imported, no header): not served itself", file);
            } else {
                LOG.log(Level.WARNING, "{0}: not served: the file has no ''/// metropolis'' header declaring its subject"
                        + " (see README, \"A task script\")", file);
            }
        }
        headerless.clear();
    }

    private void update(Collection<Path> files, Set<Path> stale, CompletableFuture<Connection> nats) {
        ReloadPlan plan = ReloadPlan.of(servedScripts(), files.stream().map(FileChange::read).toList(), stale);
        plan.now().forEach(this::carryOut);
        Map<ReloadPlan.Version, CompletableFuture<Warm>> warming = new LinkedHashMap<>();
        for (ReloadPlan.Version version : plan.versions()) {
            TaskScript script = version.script();
            warming.put(version, CompletableFuture.supplyAsync(() -> warm(script), creators.apply(script.language())));
        }
        // Installs happen here, on the caller's thread, in the order versions become warm.
        while (!warming.isEmpty()) {
            awaitAny(warming.values());
            for (var entry : List.copyOf(warming.entrySet())) {
                if (entry.getValue().isDone()) {
                    warming.remove(entry.getKey());
                    installWhenWarm(entry.getKey(), entry.getValue(), nats);
                }
            }
        }
    }

    private Map<Path, TaskScript> servedScripts() {
        Map<Path, TaskScript> scripts = new LinkedHashMap<>();
        served.forEach((file, service) -> scripts.put(file, service.runner().script()));
        return scripts;
    }

    private void carryOut(ReloadPlan.Action action) {
        switch (action) {
            case ReloadPlan.Stop stop -> remove(stop.file(), stop.why());
            case ReloadPlan.NotATask notATask -> {
                remove(notATask.file(), ReloadPlan.NO_HEADER);
                headerless.add(notATask.file()); // warned about after this batch's versions have loaded their imports
            }
            case ReloadPlan.Refuse refuse -> {
                reject(refuse.problem());
                if (refuse.conflict()) {
                    refusedForConflict.add(refuse.problem().file());
                }
            }
        }
    }

    /** A warm version: its runner and the files its first context read. */
    private record Warm(TaskRunner runner, Set<Path> reads) {}

    private void installWhenWarm(ReloadPlan.Version version, CompletableFuture<Warm> warm,
            CompletableFuture<Connection> nats) {
        Warm ready;
        try {
            ready = warm.join();
        } catch (CompletionException e) {
            reject(e.getCause() instanceof ScriptProblem problem
                    ? problem
                    : new ScriptProblem(version.script().file(), 0, "could not load: " + e.getCause(), e.getCause()));
            return;
        }
        Connection connection = nats.join();
        if (!version.script().header().allow().kv().isEmpty() && !hasJetStream(connection)) {
            ready.runner().close(Duration.ZERO);
            reject(new ScriptProblem(version.script().file(), 0, "key 'allow.kv': the NATS server has no JetStream,"
                    + " which key-value buckets need; start nats-server with -js (or remove the grant)"));
            return;
        }
        reads.put(version.script().file(), ready.reads());
        install(version, ready.runner(), connection);
    }

    private static boolean hasJetStream(Connection connection) {
        return connection.getServerInfo() != null && connection.getServerInfo().isJetStreamAvailable();
    }

    private static void awaitAny(Collection<CompletableFuture<Warm>> futures) {
        try {
            CompletableFuture.anyOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            // a failed warm-up counts as done; installWhenWarm reports it
        }
    }

    /** Builds a version's pool and runner and creates its first context, proving the script loads. */
    private Warm warm(TaskScript script) {
        String task = script.name();
        String language = script.language().id();
        GuestFactory factory = contexts.factory(script);
        ContextPool<GuestContext> pool = new ContextPool<>(task, script.header().concurrency(), factory,
                creators.apply(script.language()), nanoTime, new ContextPool.Listener() {
                    @Override
                    public void created(long nanos) {
                        metrics.contextCreated(task, language, nanos);
                    }

                    @Override
                    public void waited(long nanos) {
                        metrics.leaseWait(task, language, nanos);
                    }
                });
        long started = nanoTime.getAsLong();
        try {
            pool.warmUp();
        } catch (ScriptProblem problem) {
            pool.close();
            throw new CompletionException(problem);
        } catch (Exception e) {
            pool.close();
            throw new CompletionException(new ScriptProblem(script.file(), 0, "could not create a context: " + e, e));
        }
        LOG.log(Level.FINE, "{0}: first context ready in {1} ms",
                new Object[] {script.file().getFileName(), String.valueOf((nanoTime.getAsLong() - started) / 1_000_000)});
        // Schema files count as read: editing one reloads the task like editing an import.
        Set<Path> reads = new java.util.LinkedHashSet<>(factory.filesRead());
        reads.addAll(script.header().schemas().files());
        return new Warm(new TaskRunner(script, pool, watchdog, nanoTime, factory.streams()), reads);
    }

    /** Serves a warm version as its plan says: a new service, in place of the previous version, or replacing it. */
    private void install(ReloadPlan.Version version, TaskRunner runner, Connection nats) {
        TaskScript script = version.script();
        Path file = script.file();
        problems.remove(file);
        refusedForConflict.remove(file);
        Binding current = served.get(file);
        if (script.isWorker()) {
            script.worker().notes().forEach(LOG::warning); // a header's subject or queue the decorators overrode
        }
        // A function that became (or stopped being) a generator changes what discovery announces: a new service.
        boolean sameShape = current != null && current.runner().streams() == runner.streams();
        if (version.takeover() == ReloadPlan.Takeover.SWAP && sameShape) {
            metrics.reload("ok");
            retire(current.swap(runner));
            LOG.log(Level.INFO, "reloaded {0}", file.getFileName());
            events.served(script, true);
            return;
        }
        Binding next;
        try {
            next = bind(runner, nats);
        } catch (ScriptProblem problem) {
            runner.close();
            reject(problem);
            return;
        }
        problems.remove(file);
        refusedForConflict.remove(file);
        if (current != null) {
            metrics.reload("ok");
        }
        switch (version.takeover()) {
            case SWAP, REPLACE -> {
                served.put(file, next);
                retire(current);
                LOG.log(Level.INFO, "reloaded {0}; it now serves {1} (queue {2})", new Object[] {file.getFileName(),
                    String.join(", ", script.header().subjects()), script.header().queue()});
                events.served(script, true);
            }
            case START -> {
                served.put(file, next);
                LOG.log(Level.INFO, "serving {0} ({1}, queue {2}) with {3} [{4}, concurrency {5}, timeout {6}]", new Object[] {
                    String.join(", ", script.header().subjects()), script.header().trigger().describe(),
                    script.header().queue(), file.getFileName(),
                    script.language().id(), String.valueOf(script.header().concurrency()),
                    Durations.format(script.header().timeout())});
                events.served(script, false);
            }
        }
    }

    /** A request/reply service, or a consumer of the script's stream or schedule. */
    private Binding bind(TaskRunner runner, Connection nats) throws ScriptProblem {
        if (runner.script().header().trigger() instanceof Trigger.Request) {
            return TaskService.start(nats, runner, drainTimeout, metrics, tracing, events.host());
        }
        return StreamBinding.start(streams.apply(nats), runner);
    }

    private void remove(Path file, String why) {
        reads.remove(file);
        problems.remove(file);
        refusedForConflict.remove(file);
        Binding current = served.remove(file);
        if (current != null) {
            retire(current);
            String subjects = String.join(", ", current.runner().script().header().subjects());
            LOG.log(Level.INFO, "{0} {1}: stopped serving {2}", new Object[] {file.getFileName(), why, subjects});
            events.stopped(file, current.runner().script().name(), why + ": stopped serving " + subjects);
        }
    }

    /** Logs a problem once per distinct message; a served previous version keeps serving. */
    private void reject(ScriptProblem problem) {
        refusedForConflict.remove(problem.file());
        ScriptProblem previous = problems.put(problem.file(), problem);
        if (previous != null && previous.getMessage().equals(problem.getMessage())) {
            return;
        }
        metrics.loadError();
        events.refused(problem, served.containsKey(problem.file()));
        if (served.containsKey(problem.file())) {
            metrics.reload("failed");
            LOG.log(Level.WARNING, "not reloaded, the previous version keeps serving: {0}", problem.getMessage());
        } else {
            LOG.log(Level.WARNING, "not served: {0}", problem.getMessage());
        }
    }

    /** Stops a service (it leaves discovery; delivered messages still run) and closes its runner, in the background. */
    private void retire(Binding service) {
        retirer.execute(() -> service.retire(true));
    }

    /** Drains and closes a replaced version's runner in the background. */
    private void retire(TaskRunner runner) {
        retirer.execute(() -> runner.close(drainTimeout));
    }

    synchronized List<TaskScript> served() {
        return served.values().stream().map(service -> service.runner().script()).toList();
    }

    synchronized List<ScriptProblem> problems() {
        return List.copyOf(problems.values());
    }

    /** Live contexts over every served version (retired ones close as they drain). */
    synchronized int liveContexts() {
        return served.values().stream().mapToInt(service -> service.runner().poolStats().live()).sum();
    }

    synchronized int liveContexts(String task) {
        return served.values().stream().filter(service -> service.runner().script().name().equals(task))
                .mapToInt(service -> service.runner().poolStats().live()).sum();
    }

    synchronized int leasedContexts(String task) {
        return served.values().stream().filter(service -> service.runner().script().name().equals(task))
                .mapToInt(service -> service.runner().poolStats().leased()).sum();
    }

    /** Removes every script, for shutdown; returns the services to stop. */
    synchronized List<Binding> clear() {
        List<Binding> all = List.copyOf(served.values());
        served.clear();
        return all;
    }
}

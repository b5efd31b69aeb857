package dev.metropolis.guest;

import dev.metropolis.script.Grants;
import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Level;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;

/**
 * Creates ready-to-call guest contexts for scripts, locked down by default: no network, process,
 * thread, native, environment or Java access, and of the disk only the scripts folder, read-only
 * ({@link ScriptFolderFileSystem}). Only host buffers cross in (payload bytes).
 */
public final class GuestContexts implements AutoCloseable {
    /** The constrained sandbox's host access, plus reading host byte buffers (zero-copy payloads). */
    private static final HostAccess HOST_ACCESS =
            HostAccess.newBuilder(HostAccess.CONSTRAINED).allowBufferAccess(true).build();

    private final Engines engines;
    private final TaskServices services;
    private final LoadLimit load;
    /** Python's spare context, once {@link #keepSpares} was called. */
    private volatile SpareContexts spares;

    /**
     * Contexts on {@code engines} whose scripts reach {@code services} as far as their grants allow,
     * their module-level code bounded by {@code loadTimeout}.
     */
    public GuestContexts(Engines engines, TaskServices services, Duration loadTimeout) {
        this.engines = Objects.requireNonNull(engines, "engines");
        this.services = Objects.requireNonNull(services, "services");
        this.load = new LoadLimit(loadTimeout);
    }

    /** Contexts with the default load timeout. */
    public GuestContexts(Engines engines, TaskServices services) {
        this(engines, services, LoadLimit.DEFAULT);
    }

    /** Contexts that only answer their messages: no NATS calls, environment or secrets. */
    public GuestContexts(Engines engines) {
        this(engines, TaskServices.none());
    }

    /**
     * From now on keeps one Python context ready on the shared engine, for scripts in
     * {@code folder}: a new or reloaded script, or a pool that grows, then starts from an
     * initialised interpreter and adapter and runs only its own module code (about 16 MiB of heap).
     */
    public synchronized void keepSpares(Path folder) {
        if (spares == null) {
            spares = new SpareContexts(Language.PYTHON.id(), () -> spare(folder));
            spares.start();
        }
    }

    /** The spares kept, or null before {@link #keepSpares}. */
    SpareContexts spares() {
        return spares;
    }

    private SpareContexts.Spare spare(Path folder) {
        GuestLanguage language = GuestLanguage.of(Language.PYTHON);
        PluggableOutput out = new PluggableOutput();
        PluggableOutput err = new PluggableOutput();
        PluggableFileSystem files;
        try {
            files = new PluggableFileSystem(new ScriptFolderFileSystem(folder, Grants.NONE, "a spare context"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Context.Builder builder = builder(language, files, out, err).engine(engines.get(Language.PYTHON));
        language.configure(builder, folder);
        Context context = builder.build();
        try {
            context.initialize(Language.PYTHON.id());
            Value adapter = language.adapter(context);
            // Module code is run again in every context: a reloaded script that imports json and
            // datetime paid ~0.5 s for them (a probe in docs/STACK.md). The spare runs them ahead.
            PythonLanguage.preload(context, PythonLanguage.importedBy(folder));
            return new SpareContexts.Spare(context, adapter, out, err, files);
        } catch (RuntimeException e) {
            context.close(true);
            throw e;
        }
    }

    /** Closes the spare context, if one is kept. */
    @Override
    public void close() {
        SpareContexts current = spares;
        if (current != null) {
            current.close();
        }
    }

    /** The default of {@code --load-timeout}. */
    public static Duration defaultLoadTimeout() {
        return LoadLimit.DEFAULT;
    }

    /**
     * True when the script's contexts each get an engine of their own instead of their language's
     * shared one: scripts served one call at a time ({@code concurrency = 1}). Truffle compiles
     * code on an engine with a single context for that context alone, with module globals and
     * functions as constants; on a shared engine it compiles it for every context at once. For
     * CPU-bound Python that is about 2x (fib(27) via the host: 11.4 ms shared, 5.4 ms own; JS
     * 6.1 vs 4.9 ms). Scripts with more contexts share their language's engine, so their code is
     * compiled once for all of them and each further context is cheaper.
     */
    static boolean ownsEngine(TaskScript script) {
        return script.header().concurrency() == 1;
    }

    /** A factory of contexts for one script version; the script's source is built once and shared. */
    public GuestFactory factory(TaskScript script) {
        GuestLanguage language = GuestLanguage.of(script.language());
        Source source = language.source(script);
        // One of each per version, shared by its contexts: the secrets it read (to redact), its KV handles.
        GuestSecrets secrets = new GuestSecrets(script, services.secretsDir());
        GuestKv kv = new GuestKv(script, services.nats());
        GuestHttp http = new GuestHttp(script, services.http(), services.maxHttpResponseBytes());
        return new GuestFactory(script, files -> create(script, language, source, secrets, kv, http, files));
    }

    /** What every context is built with: the sandbox, host access, and the given file system and output. */
    private static Context.Builder builder(GuestLanguage language, FileSystem files, OutputStream out, OutputStream err) {
        return Context.newBuilder(language.language().id())
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(HOST_ACCESS)
                .allowIO(IOAccess.newBuilder().fileSystem(ScriptFolderFileSystem.forGuest(files)).build())
                .in(InputStream.nullInputStream())
                .out(out)
                .err(err);
    }

    private GuestContext create(TaskScript script, GuestLanguage language, Source source, GuestSecrets secrets, GuestKv kv,
            GuestHttp http, ScriptFolderFileSystem files) throws ScriptProblem {
        String missing = secrets.missing();
        if (missing != null) {
            throw new ScriptProblem(script.file(), 0, "key 'allow.secrets': " + missing);
        }
        GuestOutput out = new GuestOutput(script.name(), Level.INFO, secrets);
        GuestOutput err = new GuestOutput(script.name(), Level.WARNING, secrets);
        CallScope scope = new CallScope();
        GuestApi api = new GuestApi(script, scope, language,
                new GuestCalls(script, services.nats(), services.tracing(), language), http, kv, secrets,
                services.environment());
        SpareContexts current = spares;
        SpareContexts.Spare spare = current == null || ownsEngine(script) || script.language() != Language.PYTHON
                ? null : current.take();
        Context context;
        if (spare != null) {
            spare.out().plug(out);
            spare.err().plug(err);
            spare.files().plug(files);
            context = spare.context();
        } else {
            Context.Builder builder = builder(language, files, out, err);
            if (ownsEngine(script)) {
                builder.logHandler(new GuestLogHandler()); // the engine is the context's own, closed with it
            } else {
                builder.engine(engines.get(script.language()));
            }
            language.configure(builder, files.root());
            context = builder.build();
        }
        try {
            Value adapter = spare != null ? spare.adapter() : null;
            if (adapter == null) {
                // The language itself starts up outside the load timeout: the first Python context of a
                // JVM takes seconds to, however quick the script.
                context.initialize(script.language().id());
                adapter = language.adapter(context);
            }
            Value dispatch = language.bind(context, script, source, adapter,
                    new GuestLanguage.HostSide(api.asGuestObject(), new GuestLog(script.name(), secrets), load, files));
            return new GuestContext(script, language, context, dispatch, out, err, scope, secrets);
        } catch (ScriptProblem | RuntimeException e) {
            context.close(true);
            if (e instanceof PolyglotException polyglot && !polyglot.isGuestException()) {
                throw new ScriptProblem(script.file(), 0, "the context could not be set up: " + e.getMessage(), e);
            }
            throw e;
        }
    }
}

package dev.metropolis.guest;

import dev.metropolis.script.Language;
import java.util.EnumMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;

/**
 * One shared polyglot {@link Engine} per language, created on first use. Contexts created on a
 * shared engine share its compiled code, so a script's hot paths are compiled once, not per context.
 */
public final class Engines implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engines.class.getName());
    /** What Truffle reports when the Graal compiler is missing and guest code only interprets. */
    private static final String INTERPRETER_ONLY = "Interpreted";

    private final Map<Language, Engine> engines = new EnumMap<>(Language.class);

    /** The engine for a language, created (about half a second) on first call. */
    public synchronized Engine get(Language language) {
        return engines.computeIfAbsent(language, Engines::create);
    }

    private static Engine create(Language language) {
        Engine engine = Engine.newBuilder(language.id())
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(GuestOutput.discard())
                .err(GuestOutput.discard())
                .logHandler(new GuestLogHandler())
                .build();
        LOG.log(Level.FINE, "{0} engine created ({1})", new Object[] {language.id(), engine.getImplementationName()});
        return engine;
    }

    /**
     * The Truffle runtime guest code runs on: "GraalVM CE" when the Graal JIT compiles it, or
     * "Interpreted" when the JVM was started without the JVMCI flags (about 10x slower).
     */
    public String runtimeName() {
        return get(Language.JAVASCRIPT).getImplementationName();
    }

    /** True when guest code is JIT-compiled. */
    public boolean isCompiling() {
        return !INTERPRETER_ONLY.equals(runtimeName());
    }

    @Override
    public synchronized void close() {
        engines.values().forEach(engine -> {
            try {
                engine.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing a polyglot engine failed", e);
            }
        });
        engines.clear();
    }
}

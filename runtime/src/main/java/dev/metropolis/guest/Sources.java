package dev.metropolis.guest;

import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

/** Building polyglot sources for scripts and adapters, and turning load failures into script problems. */
final class Sources {
    private static final String JS_MODULE = "application/javascript+module";

    private Sources() {}

    /**
     * An adapter shipped as resources next to this class, evaluated as one source (so they share one
     * namespace): {@code resource} followed by {@code more}, the last of which gives its value.
     */
    static Source adapter(Language language, String resource, String... more) {
        StringBuilder code = new StringBuilder(resource(resource));
        for (String next : more) {
            code.append('\n').append(resource(next));
        }
        return Source.newBuilder(language.id(), code.toString(), "<metropolis>/" + resource).internal(true).buildLiteral();
    }

    private static String resource(String resource) {
        try (InputStream in = Sources.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The script as a classic source, named by its path so tracebacks point at the file. */
    static Source script(TaskScript script) {
        return Source.newBuilder(script.language().id(), script.source(), scriptPath(script)).buildLiteral();
    }

    /**
     * The script as an ES module (JavaScript only), tied to its file so that its relative imports
     * resolve against its folder; the content is the version already read, not the disk's.
     */
    static Source module(TaskScript script) {
        try {
            return Source.newBuilder(script.language().id(), script.file().toFile())
                    .content(script.source())
                    .name(scriptPath(script))
                    .mimeType(JS_MODULE)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reached: the content is given, nothing is read
        }
    }

    static boolean isModule(Source source) {
        return JS_MODULE.equals(source.getMimeType());
    }

    static String scriptPath(TaskScript script) {
        return script.file().toString();
    }

    /** Evaluates a script source; a syntax or load error becomes a problem naming the file and line. */
    static Value evaluate(Context context, Source source, TaskScript script, GuestLanguage language, LoadLimit load)
            throws ScriptProblem {
        try {
            return load.run(context, script, () -> context.eval(source));
        } catch (PolyglotException e) {
            if (e.isInterrupted() || e.isCancelled()) {
                throw e;
            }
            String kind = e.isSyntaxError() ? "syntax error" : "error while loading the script";
            throw new ScriptProblem(script.file(), language.lineOf(e, source), kind + ": " + language.explain(e, script), e);
        }
    }

    static void requireFunction(Value function, TaskScript script) throws ScriptProblem {
        if (function == null || function.isNull() || !function.canExecute()) {
            String name = script.header().function();
            String hint = script.language() == Language.PYTHON
                    ? "define it at module level: def " + name + "(body, msg): ..."
                    : "export it (export function " + name + "(body, msg) {...}) or declare it globally";
            throw new ScriptProblem(script.file(), 0, "the script defines no function '" + name + "'; " + hint);
        }
    }

    /** The 1-based line in {@code source} where the error happened, 0 when it happened elsewhere. */
    static int lineIn(PolyglotException e, Source source) {
        SourceSection at = e.getSourceLocation();
        if (at != null && at.getSource().getName().equals(source.getName()) && at.isAvailable()) {
            return at.getStartLine();
        }
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            SourceSection section = frame.getSourceLocation();
            if (section != null && section.getSource().getName().equals(source.getName())) {
                return section.getStartLine();
            }
        }
        return 0;
    }
}

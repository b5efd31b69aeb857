package dev.metropolis.guest;

import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import java.nio.file.Path;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * What differs between guest languages: context options, how a script is evaluated and its task
 * function found, and how raw bytes cross into the guest. Everything else is shared.
 */
interface GuestLanguage {

    Language language();

    /**
     * Adds language-specific options to a context under construction: among them where its
     * imports resolve in {@code folder}, the scripts folder the context's file system shows.
     */
    void configure(Context.Builder builder, Path folder);

    /**
     * The script as a polyglot source. Built once per script version and reused for every
     * context, so the shared engine compiles it once.
     */
    Source source(TaskScript script);

    /**
     * Evaluates the adapter (the calling convention, the same for every script) in a fresh context
     * and returns its {@code bind} function. Done before a script is known for a spare context.
     */
    Value adapter(Context context);

    /**
     * Evaluates the script's source in a context whose {@link #adapter} is {@code adapter} and
     * returns the dispatcher: the adapter's wrapper around the script's task function. {@code host}
     * is what the adapter offers the script beyond its message ({@link GuestApi}), its log, its
     * load timeout and its view of the folder.
     */
    Value bind(Context context, TaskScript script, Source source, Value adapter, HostSide host) throws ScriptProblem;

    /**
     * What the adapter's {@code bind} is given besides the task function: the host's functions, the
     * log, the load timeout the script's module-level code runs under, and the scripts folder as the
     * context sees it (for imports).
     */
    record HostSide(Object api, GuestLog log, LoadLimit load, ScriptFolderFileSystem files) {}

    /** The message of a load error, with what the author needs to fix it (e.g. where imports were searched). */
    default String explain(PolyglotException error, TaskScript script) {
        return error.getMessage();
    }

    /** The 1-based line of {@code source} where a load error happened, 0 when unknown. */
    default int lineOf(PolyglotException error, Source source) {
        return Sources.lineIn(error, source);
    }

    /** The raw payload in the form the guest adapter reads it (see metropolis.py / metropolis.js). */
    Object rawArgument(byte[] data, Payload payload);

    static GuestLanguage of(Language language) {
        return switch (language) {
            case PYTHON -> new PythonLanguage();
            case JAVASCRIPT -> new JavaScriptLanguage();
        };
    }
}

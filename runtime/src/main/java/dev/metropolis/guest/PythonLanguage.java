package dev.metropolis.guest;

import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/** GraalPy: the script runs as {@code __main__}; its task function is a module-level name. */
final class PythonLanguage implements GuestLanguage {
    /** The calling convention, then the original Metropolis framework's {@code Worker} (see {@link WorkerBinding}). */
    private static final Source ADAPTER = Sources.adapter(Language.PYTHON, "metropolis.py", "worker.py");
    /**
     * Imports resolve in the scripts folder, then in its site-packages ({@code pip install --target
     * site-packages}); the folder is read-only to guests, so no {@code __pycache__} is attempted.
     */
    private static final Source SEARCH_PATH = Source.newBuilder("python", """
            import builtins, io, sys
            def _prepare(folder, packages, denied):
                sys.dont_write_bytecode = True
                sys.path[0:0] = [folder, packages]
                plain_open = io.open
                # GraalPy turns the file system's refusal into a bare "Permission denied": add its reason.
                def open(file, *args, **kwargs):
                    try:
                        return plain_open(file, *args, **kwargs)
                    except PermissionError as e:
                        why = denied()
                        if why:
                            raise PermissionError(e.errno, why, e.filename) from None
                        raise
                builtins.open = open
            _prepare
            """, "<metropolis>/prepare.py").internal(true).buildLiteral();
    /**
     * A spare context's head start: imports the standard-library modules among {@code names}
     * (never a module of the scripts folder: nothing is read there before a script claims the
     * context). A module that fails to import is left for the script's own import to report.
     */
    private static final Source PRELOAD = Source.newBuilder("python", """
            import importlib, sys
            def _preload(names):
                stdlib = getattr(sys, "stdlib_module_names", frozenset())
                loaded = []
                for name in names:
                    if name.split(".")[0] in stdlib and name not in sys.modules:
                        try:
                            importlib.import_module(name)
                            loaded.append(name)
                        except Exception:
                            pass
                return len(loaded)
            _preload
            """, "<metropolis>/preload.py").internal(true).buildLiteral();
    /** The modules a Python file imports at the start of a line: {@code import a, b.c} and {@code from d import e}. */
    private static final Pattern IMPORT = Pattern.compile(
            "^\\s*(?:import\\s+([\\w.]+(?:\\s*,\\s*[\\w.]+)*)|from\\s+([\\w.]+)\\s+import\\b)", Pattern.MULTILINE);
    private static final Pattern NOT_FOUND = Pattern.compile("ModuleNotFoundError: No module named '([^']+)'.*", Pattern.DOTALL);

    @Override
    public Language language() {
        return Language.PYTHON;
    }

    @Override
    public void configure(Context.Builder builder, Path folder) {
        // Nothing: python.PythonPath is refused under the CONSTRAINED sandbox, so bind sets sys.path.
    }

    @Override
    public Source source(TaskScript script) {
        return Sources.script(script);
    }

    /** The modules the Python files of {@code folder} import (its top level only), in the order first seen. */
    static Set<String> importedBy(Path folder) {
        Set<String> names = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".py")).sorted().toList()) {
                Matcher imports = IMPORT.matcher(Files.readString(file));
                while (imports.find()) {
                    String group = imports.group(1) != null ? imports.group(1) : imports.group(2);
                    for (String name : group.split(",")) {
                        if (!name.isBlank() && !name.strip().startsWith(".")) {
                            names.add(name.strip());
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return names; // a head start only: what was read so far
        }
        return names;
    }

    /** Imports the standard-library modules among {@code names} in a spare context; how many were imported. */
    static int preload(Context context, Collection<String> names) {
        return context.eval(PRELOAD).execute(ProxyArray.fromList(new ArrayList<>(names))).asInt();
    }

    @Override
    public Value adapter(Context context) {
        return context.eval(ADAPTER);
    }

    @Override
    public Value bind(Context context, TaskScript script, Source source, Value bind, HostSide host) throws ScriptProblem {
        Path folder = host.files().root();
        ProxyExecutable denied = args -> host.files().lastDenial();
        context.eval(SEARCH_PATH).execute(folder.toString(), folder.resolve(ScriptFolderFileSystem.SITE_PACKAGES).toString(),
                denied);
        Sources.evaluate(context, source, script, this, host.load());
        if (script.isWorker()) {
            return WorkerBinding.dispatcher(bind.getMember("worker"), script, host);
        }
        Value function = context.getBindings("python").getMember(script.header().function());
        Sources.requireFunction(function, script);
        return bind.execute(function, Sources.scriptPath(script), host.log(), host.api());
    }

    /** A missing module: say where it was looked for and how packages get there. */
    @Override
    public String explain(PolyglotException error, TaskScript script) {
        Matcher missing = NOT_FOUND.matcher(error.getMessage());
        if (!missing.matches()) {
            return error.getMessage();
        }
        Path folder = script.file().toAbsolutePath().getParent();
        return error.getMessage() + " (searched " + folder + ", " + folder.resolve(ScriptFolderFileSystem.SITE_PACKAGES)
                + " and the standard library; a local module is a .py file or a package folder in the scripts folder,"
                + " a package is installed with pip install --target site-packages " + missing.group(1).split("\\.")[0] + ")";
    }

    /**
     * Module-level frames carry no source location in the polyglot stack trace, so the line comes
     * from the exception's own traceback: the deepest frame in the script.
     */
    @Override
    public int lineOf(PolyglotException error, Source source) {
        Value exception = error.getGuestObject();
        if (error.isSyntaxError() && exception != null && exception.hasMember("lineno")
                && exception.getMember("lineno").fitsInInt()) {
            return exception.getMember("lineno").asInt(); // the parser's own line; the source section may run past it
        }
        int line = 0;
        if (exception != null && exception.hasMember("__traceback__")) {
            for (Value tb = exception.getMember("__traceback__"); tb != null && !tb.isNull(); tb = tb.getMember("tb_next")) {
                String file = tb.getMember("tb_frame").getMember("f_code").getMember("co_filename").asString();
                if (file.equals(source.getName())) {
                    line = tb.getMember("tb_lineno").asInt();
                }
            }
        }
        return line > 0 ? line : GuestLanguage.super.lineOf(error, source);
    }

    /** Python gets bytes as a latin-1 string (one char per byte), the cheapest crossing measured. */
    @Override
    public Object rawArgument(byte[] data, Payload payload) {
        return payload.kind() == Payload.BodyKind.BYTES ? new String(data, StandardCharsets.ISO_8859_1) : null;
    }
}

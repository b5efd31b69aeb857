package dev.metropolis.guest;

import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * GraalJS: a script with {@code export} statements is an ES module and its export is the task;
 * otherwise it is a classic script whose task is a global function or a CommonJS
 * {@code module.exports} member.
 */
final class JavaScriptLanguage implements GuestLanguage {
    private static final Source ADAPTER = Sources.adapter(Language.JAVASCRIPT, "metropolis.js");
    private static final Source COMMON_JS = Source.create("js", "var module = { exports: {} }; var exports = module.exports;");
    private static final Source REQUIRE = Sources.adapter(Language.JAVASCRIPT, "require.js");
    private static final Pattern MISSING_MODULE = Pattern.compile("(?:Cannot find|Error reading) module '([^']+)' imported from (\\S+)");
    private static final Pattern EXPORT = Pattern.compile("(?m)^\\s*export\\s");

    @Override
    public Language language() {
        return Language.JAVASCRIPT;
    }

    @Override
    public void configure(Context.Builder builder, Path folder) {
        builder.option("js.esm-eval-returns-exports", "true");
        // ES modules import relative files through the context's file system (the scripts folder);
        // require() comes from require.js, since CONSTRAINED refuses js.commonjs-require.
    }

    @Override
    public Source source(TaskScript script) {
        return EXPORT.matcher(script.source()).find() ? Sources.module(script) : Sources.script(script);
    }

    @Override
    public Value adapter(Context context) {
        return context.eval(ADAPTER);
    }

    @Override
    public Value bind(Context context, TaskScript script, Source source, Value bind, HostSide host) throws ScriptProblem {
        // require() in classic scripts and ES modules alike: CommonJS packages work in both.
        Value require = context.eval(REQUIRE).execute(new CommonJsModules(host.files()).loader())
                .execute(Sources.scriptPath(script));
        context.getBindings("js").putMember("require", require);
        Value function;
        if (Sources.isModule(source)) {
            Value exports = Sources.evaluate(context, source, script, this, host.load());
            function = exports.getMember(script.header().function());
        } else {
            context.eval(COMMON_JS);
            Sources.evaluate(context, source, script, this, host.load());
            Value globals = context.getBindings("js");
            function = globals.getMember(script.header().function());
            if (function == null || !function.canExecute()) {
                function = globals.getMember("module").getMember("exports").getMember(script.header().function());
            }
        }
        Sources.requireFunction(function, script);
        return bind.execute(function, Sources.scriptPath(script), host.log(), host.api());
    }

    /** A module that is not found: a Node built-in the sandbox lacks, or where imports are looked up. */
    @Override
    public String explain(PolyglotException error, TaskScript script) {
        Matcher missing = MISSING_MODULE.matcher(error.getMessage());
        if (!missing.find()) {
            return error.getMessage();
        }
        Path wanted = Path.of(missing.group(1));
        String importer = missing.group(2);
        String name = wanted.getFileName().toString().replaceFirst("^node:", "");
        if (CommonJsModules.isNodeBuiltIn(name)) { // "Cannot find" for fs, "Socket IO is not allowed" for node:fs
            return error.getMessage() + ": " + CommonJsModules.builtInMessage(name, Path.of(importer),
                    script.file().toAbsolutePath().getParent());
        }
        if (!error.getMessage().contains("Cannot find")) {
            return error.getMessage();
        }
        return error.getMessage() + " (relative imports resolve against the importing file, bare ones in "
                + script.file().toAbsolutePath().getParent().resolve(ScriptFolderFileSystem.NODE_MODULES)
                + ": run npm install in the scripts folder)";
    }

    /** JS reads bytes through a zero-copy Uint8Array view over the host buffer. */
    @Override
    public Object rawArgument(byte[] data, Payload payload) {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }
}

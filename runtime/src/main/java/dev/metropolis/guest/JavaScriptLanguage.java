package dev.metropolis.guest;

import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;
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
    private static final Pattern EXPORT = Pattern.compile("(?m)^\\s*export\\s");

    @Override
    public Language language() {
        return Language.JAVASCRIPT;
    }

    @Override
    public void configure(Context.Builder builder) {
        builder.option("js.esm-eval-returns-exports", "true");
    }

    @Override
    public Source source(TaskScript script) {
        return EXPORT.matcher(script.source()).find() ? Sources.module(script) : Sources.script(script);
    }

    @Override
    public Value bind(Context context, TaskScript script, Source source, HostSide host) throws ScriptProblem {
        Value bind = context.eval(ADAPTER);
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

    /** JS reads bytes through a zero-copy Uint8Array view over the host buffer. */
    @Override
    public Object rawArgument(byte[] data, Payload payload) {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }
}

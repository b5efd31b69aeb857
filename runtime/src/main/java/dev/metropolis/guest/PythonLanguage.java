package dev.metropolis.guest;

import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/** GraalPy: the script runs as {@code __main__}; its task function is a module-level name. */
final class PythonLanguage implements GuestLanguage {
    private static final Source ADAPTER = Sources.adapter(Language.PYTHON, "metropolis.py");

    @Override
    public Language language() {
        return Language.PYTHON;
    }

    @Override
    public void configure(Context.Builder builder) {
        // Nothing beyond the shared sandbox: GraalPy's stdlib is embedded, IO stays denied.
    }

    @Override
    public Source source(TaskScript script) {
        return Sources.script(script);
    }

    @Override
    public Value bind(Context context, TaskScript script, Source source, HostSide host) throws ScriptProblem {
        Value bind = context.eval(ADAPTER);
        Sources.evaluate(context, source, script, this, host.load());
        Value function = context.getBindings("python").getMember(script.header().function());
        Sources.requireFunction(function, script);
        return bind.execute(function, Sources.scriptPath(script), host.log(), host.api());
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

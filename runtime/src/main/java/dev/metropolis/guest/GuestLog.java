package dev.metropolis.guest;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/** The host end of {@code metropolis.log}: a script's log calls, at their level, under the task's name. */
final class GuestLog implements ProxyExecutable {
    private final Logger logger;
    private final GuestSecrets secrets;

    GuestLog(String task, GuestSecrets secrets) {
        this.logger = Logger.getLogger("task." + task);
        this.secrets = secrets;
    }

    /** Called by the adapters as {@code sink(level, text)}, level in Python's numbers (10 debug ... 40 error). */
    @Override
    public Object execute(Value... arguments) {
        int level = arguments[0].asInt();
        logger.log(level >= 40 ? Level.SEVERE : level >= 30 ? Level.WARNING : level >= 20 ? Level.INFO : Level.FINE,
                secrets.redact(arguments[1].asString()));
        return null;
    }
}

package dev.metropolis.guest;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.script.WorkerTasks;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;

/**
 * The dispatcher of a worker file (a Python file written for the original Metropolis framework),
 * from worker.py's {@code bind_worker}: it routes each message to the decorated function of its
 * subject, once the guest confirmed that every decorator the host read registered as the file loaded.
 */
final class WorkerBinding {

    private WorkerBinding() {}

    /** The dispatcher, or the problem of a decorator that did not register (with its line). */
    static Value dispatcher(Value bindWorker, TaskScript script, GuestLanguage.HostSide host) throws ScriptProblem {
        List<Object> expected = script.worker().tasks().stream()
                .<Object>map(WorkerBinding::expected)
                .toList();
        Value outcome = bindWorker.execute(ProxyArray.fromList(expected), Sources.scriptPath(script), host.log(),
                host.api());
        if (outcome.getArrayElement(0).asInt() != 0) {
            throw new ScriptProblem(script.file(), outcome.getArrayElement(1).asInt(),
                    outcome.getArrayElement(2).asString());
        }
        return outcome.getArrayElement(1);
    }

    private static ProxyArray expected(WorkerTasks.Task task) {
        return ProxyArray.fromArray(task.subject(), task.queue(), task.line());
    }
}

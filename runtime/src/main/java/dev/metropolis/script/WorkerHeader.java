package dev.metropolis.script;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The header of a worker file (see {@link WorkerScan}): the decorators' subjects and queue, with the
 * limits of a {@code /// metropolis} header when the file has one. The decorators win where both
 * name subjects or a queue, since they bind each function to its subject; what they overrode is noted.
 */
final class WorkerHeader {

    private WorkerHeader() {}

    /** The decorated tasks with a note for each header key the decorators overrode. */
    static WorkerTasks noted(Path file, Optional<ScriptHeader> declared, WorkerTasks tasks) {
        if (declared.isEmpty()) {
            return tasks;
        }
        ScriptHeader header = declared.get();
        String name = file.getFileName().toString();
        WorkerTasks noted = tasks;
        if (!header.subjects().equals(tasks.subjects())) {
            noted = noted.withNote(name + ": the header's subject " + String.join(", ", header.subjects())
                    + " is ignored: the @worker.task decorators name the subjects (" + String.join(", ", tasks.subjects())
                    + "); remove 'subject' from the header");
        }
        if (!header.queue().equals(ScriptHeader.DEFAULT_QUEUE) && !header.queue().equals(tasks.queue())) {
            noted = noted.withNote(name + ": the header's queue '" + header.queue() + "' is ignored: the decorators"
                    + " name queue '" + tasks.queue() + "'");
        }
        if (!header.function().equals(ScriptHeader.DEFAULT_FUNCTION)) {
            noted = noted.withNote(name + ": the header's function '" + header.function() + "' is ignored: each"
                    + " @worker.task decorates its own function");
        }
        return noted;
    }

    /** The header a worker file is served with. */
    static ScriptHeader merge(Path file, Optional<ScriptHeader> declared, WorkerTasks tasks) throws ScriptProblem {
        int line = tasks.tasks().getFirst().line();
        if (declared.isEmpty()) {
            try {
                return new ScriptHeader(tasks.subjects(), tasks.queue(), ScriptHeader.DEFAULT_FUNCTION,
                        ScriptHeader.DEFAULT_TIMEOUT, ScriptHeader.DEFAULT_CONCURRENCY, ScriptHeader.DEFAULT_MAX_PENDING,
                        ScriptHeader.DEFAULT_VERSION, "", "");
            } catch (IllegalArgumentException e) {
                throw new ScriptProblem(file, line, "worker.task: " + e.getMessage(), e);
            }
        }
        ScriptHeader header = declared.get();
        if (!(header.trigger() instanceof Trigger.Request)) {
            throw new ScriptProblem(file, line, "the @worker.task decorators answer requests, but the header declares "
                    + header.trigger().describe() + "; remove 'stream'/'schedule'/'every' from the header");
        }
        try {
            return new ScriptHeader(tasks.subjects(), tasks.queue(), ScriptHeader.DEFAULT_FUNCTION, header.timeout(),
                    header.concurrency(), header.maxPending(), header.version(), header.description(), header.http(),
                    header.allow(), header.trigger(), header.auth(), header.rate(), header.async());
        } catch (IllegalArgumentException e) {
            throw new ScriptProblem(file, line, "worker.task: " + e.getMessage(), e);
        }
    }
}

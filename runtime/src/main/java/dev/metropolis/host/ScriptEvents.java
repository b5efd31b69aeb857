package dev.metropolis.host;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.nio.file.Path;

/** What {@link ScriptSet} tells the world as it serves, reloads, refuses and stops scripts. */
interface ScriptEvents {
    /** The name of the host these events are about (announced in its services' metadata too). */
    String host();

    /** {@code script} serves now: a new file, or a new version of a served one when {@code reloaded}. */
    void served(TaskScript script, boolean reloaded);

    /** A file could not be loaded; when {@code previousServes}, its last good version keeps serving. */
    void refused(ScriptProblem problem, boolean previousServes);

    /** A served file stopped serving, and why ("was deleted"). */
    void stopped(Path file, String task, String why);

    /** Events nobody hears, from a host of this name (tests). */
    static ScriptEvents none(String host) {
        return new ScriptEvents() {
            @Override
            public String host() {
                return host;
            }

            @Override
            public void served(TaskScript script, boolean reloaded) {}

            @Override
            public void refused(ScriptProblem problem, boolean previousServes) {}

            @Override
            public void stopped(Path file, String task, String why) {}
        };
    }
}

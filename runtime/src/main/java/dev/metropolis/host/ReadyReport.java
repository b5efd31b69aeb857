package dev.metropolis.host;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.util.List;
import java.util.stream.Collectors;

/** The "host ready" line: what serves and what failed, by name, so a missing task is found in one line. */
final class ReadyReport {
    /** Names listed before the rest is only counted: the line stays readable with hundreds of scripts. */
    private static final int LISTED = 20;

    private ReadyReport() {}

    /** E.g. "2 task(s) serving (echo, greet), 1 script(s) not served (loop.py: see its warning above)". */
    static String of(List<TaskScript> served, List<ScriptProblem> failed) {
        String serving = served.size() + " task(s) serving" + names(served.stream().map(TaskScript::name).toList());
        if (failed.isEmpty()) {
            return serving + ", none failed";
        }
        return serving + ", " + failed.size() + " script(s) not served"
                + names(failed.stream().map(problem -> problem.file().getFileName().toString()).toList())
                + " (their warnings above say why)";
    }

    private static String names(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        String listed = names.stream().limit(LISTED).collect(Collectors.joining(", "));
        return " (" + listed + (names.size() > LISTED ? ", and " + (names.size() - LISTED) + " more" : "") + ")";
    }
}

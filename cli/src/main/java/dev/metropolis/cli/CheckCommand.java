package dev.metropolis.cli;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.guest.Engines;
import dev.metropolis.guest.GuestContext;
import dev.metropolis.guest.GuestContexts;
import dev.metropolis.guest.SharedHttpClient;
import dev.metropolis.guest.TaskServices;
import dev.metropolis.logging.Logging;
import dev.metropolis.script.ScriptFolder;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Durations;
import dev.metropolis.trace.Tracing;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code metropolis check [DIR]}: loads every script of a folder as the host would (header, schemas,
 * syntax, imports, module-level code) without serving or connecting, and exits 1 when any fails,
 * printing {@code file:line: message} for each: a scripts repository's own CI step.
 */
final class CheckCommand {
    static final List<Option> OPTIONS = List.of(
            new Option("--secrets", "METROPOLIS_SECRETS", "DIR", null, "the folder of secrets granted scripts must find"),
            new Option("--load-timeout", "METROPOLIS_LOAD_TIMEOUT", "DURATION",
                    Durations.format(GuestContexts.defaultLoadTimeout()), "how long a script's module-level code may run"));

    private CheckCommand() {}

    static int run(String[] args, Map<String, String> env, PrintStream out) throws UsageException, IOException {
        if (Arrays.asList(args).contains("--help")) {
            out.print(CommandLine.help("metropolis check [options] [DIR]", "Loads every script in DIR (default: scripts)"
                    + " as the host would, without serving: exits 1 with file:line messages when one fails.", OPTIONS));
            return 0;
        }
        Arguments arguments = Arguments.split(args, OPTIONS, null, env);
        if (arguments.positional().size() > 1) {
            throw new UsageException("expected at most one DIR, got " + arguments.positional());
        }
        Path dir = Path.of(arguments.positional().isEmpty() ? "scripts" : arguments.positional().getFirst());
        Logging.install(java.util.logging.Level.WARNING, Logging.Format.TEXT, System.err); // what scripts print, on stderr
        String secrets = arguments.values().get("--secrets");
        // No NATS, no environment: nothing a script does while loading reaches outside.
        TaskServices services = new TaskServices(() -> null, Tracing.disabled(), Map.of(),
                secrets == null ? null : Path.of(secrets), new SharedHttpClient(), 10L << 20);
        ScriptFolder folder = new ScriptFolder(dir);
        int tasks = 0;
        int modules = 0;
        int problems = 0;
        try (Engines engines = new Engines()) {
            GuestContexts contexts = new GuestContexts(engines, services,
                    Durations.parse(arguments.values().get("--load-timeout")));
            for (Path file : folder.scriptFiles()) {
                Path shown = dir.resolve(file.getFileName());
                try {
                    Optional<TaskScript> script = TaskScript.load(file);
                    if (script.isEmpty()) {
                        modules++;
                        out.println("module " + shown + " (no header: imported by tasks, not served)");
                        continue;
                    }
                    try (GuestContext context = contexts.factory(script.get()).call()) {
                        tasks++;
                        out.println("ok     " + shown + ": " + summary(script.get()));
                    }
                } catch (ScriptProblem problem) {
                    problems++;
                    out.println(shown + (problem.line() > 0 ? ":" + problem.line() : "") + ": " + problem.detail());
                } catch (RuntimeException e) {
                    problems++;
                    out.println(shown + ": could not be loaded: " + e.getMessage());
                }
            }
        }
        out.println(tasks + " task(s) ok, " + modules + " module(s), " + problems + " problem(s) in " + dir);
        return problems == 0 ? 0 : 1;
    }

    private static String summary(TaskScript script) {
        String subjects = script.header().subjects().isEmpty() ? script.header().trigger().describe()
                : String.join(", ", script.header().subjects());
        return "task " + script.name() + " (" + script.language().id() + ") on " + subjects
                + (script.header().schemas().input() != null ? ", input schema" : "")
                + (script.header().schemas().output() != null ? ", output schema" : "");
    }
}

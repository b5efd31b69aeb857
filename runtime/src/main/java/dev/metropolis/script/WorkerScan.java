package dev.metropolis.script;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code @worker.task(subject=..., queue=...)} decorators of a Python file written for
 * the original Metropolis framework, without running it: the host must know a task's subjects
 * before it loads the file, as it does from a header. The guest checks at load that every
 * decorator read here did register (see metropolis.py's {@code bind_worker}).
 */
public final class WorkerScan {
    private static final Pattern IMPORTS_WORKER = Pattern.compile(
            "\\s*(from\\s+metropolis\\s+import\\s+.*\\bWorker\\b.*|import\\s+metropolis\\b.*)");
    private static final Pattern CREATES_WORKER = Pattern.compile(
            "\\s*([A-Za-z_]\\w*)\\s*=\\s*(?:metropolis\\s*\\.\\s*)?Worker\\s*\\(.*");
    private static final Pattern CALLS_TASK = Pattern.compile("(\\s*)@?\\s*([A-Za-z_]\\w*)\\s*\\.\\s*task\\s*\\(");
    private static final Pattern KEYWORD = Pattern.compile("([A-Za-z_]\\w*)\\s*=(?!=)\\s*(.*)", Pattern.DOTALL);
    private static final Pattern STRING = Pattern.compile("[rRuU]?('((?:[^'\\\\\\n]|\\\\.)*)'|\"((?:[^\"\\\\\\n]|\\\\.)*)\")");
    private static final List<String> PARAMETERS = List.of("subject", "queue");

    private WorkerScan() {}

    /**
     * The decorated tasks of a Python source, or empty when it creates no {@code Worker} or
     * registers nothing (it is then a plain module).
     *
     * @throws ScriptProblem for a decorator the host cannot serve, naming the file and its line
     */
    public static Optional<WorkerTasks> scan(Path file, String source) throws ScriptProblem {
        List<String> lines = source.lines().toList();
        if (lines.stream().noneMatch(line -> IMPORTS_WORKER.matcher(line).matches())) {
            return Optional.empty();
        }
        Set<String> workers = new HashSet<>();
        for (String line : lines) {
            Matcher created = CREATES_WORKER.matcher(line);
            if (created.matches()) {
                workers.add(created.group(1));
            }
        }
        List<WorkerTasks.Task> tasks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher call = CALLS_TASK.matcher(lines.get(i));
            if (call.lookingAt() && workers.contains(call.group(2))) {
                tasks.add(task(file, lines, i, call.end(), tasks));
            }
        }
        return tasks.isEmpty() ? Optional.empty() : Optional.of(new WorkerTasks(tasks, List.of()));
    }

    /** One decorator whose argument list opens at {@code start} of line {@code index}. */
    private static WorkerTasks.Task task(Path file, List<String> lines, int index, int start, List<WorkerTasks.Task> earlier)
            throws ScriptProblem {
        int line = index + 1;
        List<String> arguments = arguments(file, lines, index, start);
        String subject = null;
        String queue = ScriptHeader.DEFAULT_QUEUE;
        for (int position = 0; position < arguments.size(); position++) {
            String argument = arguments.get(position).strip();
            Matcher keyword = KEYWORD.matcher(argument);
            String name = keyword.matches() ? keyword.group(1) : position < PARAMETERS.size() ? PARAMETERS.get(position) : null;
            String value = keyword.matches() ? keyword.group(2).strip() : argument;
            if (name == null || !PARAMETERS.contains(name)) {
                throw new ScriptProblem(file, line, "worker.task takes subject and queue, got "
                        + (name == null ? "a third argument " + argument : "'" + name + "'")
                        + "; write @worker.task(subject='foo.bar', queue='worker')");
            }
            String literal = literal(value);
            if (literal == null) {
                throw new ScriptProblem(file, line, "worker.task's " + name + " is " + value + ", not a string literal;"
                        + " the host reads subjects and queues before it runs the file, so write it out, e.g. " + name
                        + "='" + (name.equals("subject") ? "foo.bar" : "worker") + "'");
            }
            if (name.equals("subject")) {
                subject = literal;
            } else {
                queue = literal;
            }
        }
        if (subject == null) {
            throw new ScriptProblem(file, line, "worker.task names no subject; write @worker.task(subject='foo.bar', queue='worker')");
        }
        try {
            ScriptHeader.checkSubject(subject);
        } catch (IllegalArgumentException e) {
            throw new ScriptProblem(file, line, "worker.task: " + e.getMessage(), e);
        }
        for (WorkerTasks.Task other : earlier) {
            if (other.subject().equals(subject)) {
                throw new ScriptProblem(file, line, "a second task on subject '" + subject + "' in queue '" + queue
                        + "'; the first is at line " + other.line() + " (one function per subject and queue)");
            }
            if (!other.queue().equals(queue)) {
                throw new ScriptProblem(file, line, "queue '" + queue + "' differs from '" + other.queue() + "' at line "
                        + other.line() + ": the tasks of one file are one service in one queue group; use one queue,"
                        + " or move this task to a file of its own");
            }
        }
        return new WorkerTasks.Task(subject, queue, line);
    }

    /** The top-level arguments of a call, read from after its '(' to the matching ')', across lines. */
    private static List<String> arguments(Path file, List<String> lines, int index, int start) throws ScriptProblem {
        List<String> arguments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (int i = index; i < lines.size(); i++) {
            String text = lines.get(i);
            for (int at = i == index ? start : 0; at < text.length(); at++) {
                char c = text.charAt(at);
                if (quote != 0) {
                    current.append(c);
                    if (c == '\\' && at + 1 < text.length()) {
                        current.append(text.charAt(++at));
                    } else if (c == quote) {
                        quote = 0;
                    }
                    continue;
                }
                if (c == '#') {
                    break; // a comment runs to the end of the line
                }
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if (c == ')' || c == ']' || c == '}') {
                    if (depth == 0) {
                        if (!current.toString().isBlank()) {
                            arguments.add(current.toString());
                        }
                        return arguments;
                    }
                    depth--;
                } else if (c == ',' && depth == 0) {
                    arguments.add(current.toString());
                    current.setLength(0);
                    continue;
                }
                current.append(c);
            }
            quote = 0; // a string literal does not run on to the next line
            current.append(' ');
        }
        throw new ScriptProblem(file, index + 1, "worker.task( is never closed; write @worker.task(subject='foo.bar', queue='worker')");
    }

    /** The value of a plain Python string literal, or null when {@code value} is anything else. */
    private static String literal(String value) {
        Matcher string = STRING.matcher(value);
        if (!string.matches()) {
            return null;
        }
        String body = string.group(2) != null ? string.group(2) : string.group(3);
        return body.replaceAll("\\\\(.)", "$1");
    }
}

package dev.metropolis.cli;

import dev.metropolis.script.Language;

/** The script {@code metropolis new} writes, per language: a header with an input schema, and a body that answers. */
final class ScriptTemplate {
    private ScriptTemplate() {}

    static String of(Language language, String subject, String task) {
        String header = """
                /// metropolis
                subject = "%s"
                version = "0.1.0"
                description = "%s: says hello (edit me)"
                timeout = "5s"

                [input]
                type = "object"
                required = ["name"]
                properties.name = { type = "string", minLength = 1 }
                ///
                """.formatted(subject, task);
        StringBuilder text = new StringBuilder();
        String marker = language.commentPrefix();
        header.lines().forEach(line -> text.append(line.isEmpty() ? marker : marker + " " + line).append('\n'));
        return text + (language == Language.PYTHON ? python() : javascript());
    }

    private static String python() {
        return """
                from metropolis import TaskError


                def handle(body, msg):
                    # body is the parsed JSON input: the host checked it against [input] before this runs.
                    if body["name"] == "nobody":
                        raise TaskError("nobody is not a name", code=422)
                    return {"hello": body["name"], "subject": msg.subject}
                """;
    }

    private static String javascript() {
        return """
                export function handle(body, msg) {
                  // body is the parsed JSON input: the host checked it against [input] before this runs.
                  if (body.name === 'nobody') {
                    throw new metropolis.TaskError('nobody is not a name', 422);
                  }
                  return { hello: body.name, subject: msg.subject };
                }
                """;
    }
}

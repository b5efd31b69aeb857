package dev.metropolis.script;

import dev.metropolis.task.TaskMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas a header declares for a task's input and output, compiled once per script version.
 *
 * @param input  what a message's body must match before the task runs, or null for anything
 * @param output what the task promises to return (published, not enforced), or null
 * @param files  the schema files read (inside the scripts folder): a change to one reloads the task
 */
public record TaskSchemas(JsonSchema input, JsonSchema output, List<Path> files) {
    /** A header without schemas. */
    public static final TaskSchemas NONE = new TaskSchemas(null, null, List.of());

    public TaskSchemas {
        files = List.copyOf(files);
    }

    /** These schemas with {@code key} ("input" or "output") set to what was read. */
    TaskSchemas with(String key, SchemaReader.Read read) {
        List<Path> paths = new ArrayList<>(files);
        if (read.file() != null) {
            paths.add(read.file());
        }
        return key.equals("input")
                ? new TaskSchemas(read.schema(), output, paths)
                : new TaskSchemas(input, read.schema(), paths);
    }

    /** The endpoint metadata that publishes them ({@code metropolis.input}, {@code metropolis.output}). */
    public Map<String, String> metadata() {
        return TaskMetadata.schemas(input == null ? null : input.json(), output == null ? null : output.json());
    }
}

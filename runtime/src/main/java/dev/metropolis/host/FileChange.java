package dev.metropolis.host;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What a batch of changes found in one script file: the input of a {@link ReloadPlan}, read once per file. */
sealed interface FileChange {

    /** The script file this is about. */
    Path file();

    /** The file is gone. */
    record Deleted(Path file) implements FileChange {}

    /** The file is empty: an editor truncated it and is writing, so the next event brings the content. */
    record Emptied(Path file) implements FileChange {}

    /** The file has no {@code /// metropolis} header any more: it is not a task. */
    record NoHeader(Path file) implements FileChange {}

    /** The file cannot be read or its header is invalid. */
    record Unreadable(ScriptProblem problem) implements FileChange {
        @Override
        public Path file() {
            return problem.file();
        }
    }

    /** The file holds a task script (perhaps the version already served). */
    record Loaded(TaskScript script) implements FileChange {
        @Override
        public Path file() {
            return script.file();
        }
    }

    /** Reads what {@code file} holds now. */
    static FileChange read(Path file) {
        if (!Files.exists(file)) {
            return new Deleted(file);
        }
        if (isEmpty(file)) {
            return new Emptied(file);
        }
        try {
            Optional<TaskScript> script = TaskScript.load(file);
            return script.<FileChange>map(Loaded::new).orElseGet(() -> new NoHeader(file));
        } catch (ScriptProblem problem) {
            return new Unreadable(problem);
        }
    }

    private static boolean isEmpty(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            return false; // unreadable: loading it reports why
        }
    }
}

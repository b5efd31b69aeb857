package dev.metropolis.script;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a task script as read from disk: its source and its parsed header.
 *
 * @param name     the task's name: the file name without its extension
 * @param file     where it was read from
 * @param language the guest language, from the extension
 * @param source   the whole file
 * @param header   what the header declares (for a worker file: with the decorators' subjects and queue)
 * @param worker   the tasks of a file written for the original Metropolis ({@code @worker.task}), served in
 *                 its wire form; null for a native task script
 */
public record TaskScript(String name, Path file, Language language, String source, ScriptHeader header,
        WorkerTasks worker) {

    public TaskScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(header, "header");
    }

    /** A native task script: its header says what it serves and its {@code handle} answers. */
    public TaskScript(String name, Path file, Language language, String source, ScriptHeader header) {
        this(name, file, language, source, header, null);
    }

    /** Whether the script speaks the original Metropolis wire form (a worker file). */
    public boolean isWorker() {
        return worker != null;
    }

    /**
     * Reads and parses a script file.
     *
     * @return the script, or empty when the file has no metropolis header and registers no
     *         {@code @worker.task} (it is not a task)
     * @throws ScriptProblem when the file cannot be read or its header is invalid
     */
    public static Optional<TaskScript> load(Path file) throws ScriptProblem {
        Language language = Language.of(file)
                .orElseThrow(() -> new ScriptProblem(file, 0, "not a .py, .js or .mjs file"));
        String source = read(file);
        Optional<WorkerTasks> worker = language == Language.PYTHON ? WorkerScan.scan(file, source) : Optional.empty();
        if (worker.isEmpty()) {
            return HeaderParser.parse(file, source, language)
                    .map(header -> new TaskScript(nameOf(file), file, language, source, header));
        }
        Optional<ScriptHeader> declared = HeaderParser.parse(file, source, language, worker.get().subjects());
        ScriptHeader header = WorkerHeader.merge(file, declared, worker.get());
        return Optional.of(new TaskScript(nameOf(file), file, language, source, header,
                WorkerHeader.noted(file, declared, worker.get())));
    }

    /**
     * What a task is told when it asks for something its header does not grant:
     * "task 'checkout' may not WHAT; grant it in checkout.py's header: [allow] KEY = ["VALUE"]".
     */
    public String refusal(String what, String key, String value) {
        return "task '" + name + "' may not " + what + "; grant it in " + file.getFileName() + "'s header: [allow] "
                + key + " = [\"" + value + "\"]";
    }

    private static String read(Path file) throws ScriptProblem {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ScriptProblem(file, 0, "the file is not valid UTF-8; save it as UTF-8", e);
        } catch (IOException e) {
            throw new ScriptProblem(file, 0, "cannot read the file: " + e, e);
        }
    }

    private static String nameOf(Path file) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}

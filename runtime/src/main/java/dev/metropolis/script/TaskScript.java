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
 * @param header   what the header declares
 */
public record TaskScript(String name, Path file, Language language, String source, ScriptHeader header) {

    public TaskScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(header, "header");
    }

    /**
     * Reads and parses a script file.
     *
     * @return the script, or empty when the file has no metropolis header (it is not a task)
     * @throws ScriptProblem when the file cannot be read or its header is invalid
     */
    public static Optional<TaskScript> load(Path file) throws ScriptProblem {
        Language language = Language.of(file)
                .orElseThrow(() -> new ScriptProblem(file, 0, "not a .py, .js or .mjs file"));
        String source = read(file);
        return HeaderParser.parse(file, source, language)
                .map(header -> new TaskScript(nameOf(file), file, language, source, header));
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

package dev.metropolis.cli;

import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.script.Language;
import dev.metropolis.script.ScriptHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metropolis new PATH.py|.js}: writes a working task (a header with an input schema, and a
 * body that answers) and prints how to serve and call it. Never overwrites a file.
 */
final class NewCommand {
    static final String USAGE = "usage: metropolis new PATH.py | PATH.js   (e.g. metropolis new orders/create.py)";

    private NewCommand() {}

    static int run(String[] args, PrintStream out) throws UsageException, IOException {
        if (args.length != 1 || args[0].startsWith("-")) {
            if (args.length == 1 && args[0].equals("--help")) {
                out.println(USAGE);
                out.println("Writes a task script with a header (subject from the path, an input schema) and a body that"
                        + " answers; refuses to overwrite a file.");
                return 0;
            }
            throw new UsageException("expected one PATH ending in .py or .js; " + USAGE);
        }
        Path file = Path.of(args[0]);
        Language language = Language.of(file).orElseThrow(() -> new UsageException("'" + file + "' does not end in .py,"
                + " .js or .mjs; " + USAGE));
        String subject = subject(file);
        ScriptHeader.checkSubject(subject); // throws (exit 2) when a path part cannot be a subject token
        String task = task(file);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try {
            Files.writeString(file, ScriptTemplate.of(language, subject, task), StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " exists already; 'new' never overwrites: choose another name or delete it");
        }
        String folder = file.getParent() == null ? "." : file.getParent().toString();
        out.println("wrote " + file + ": task '" + task + "' on subject " + subject);
        out.println("  serve it:  ./metropolis dev --scripts " + folder);
        out.println("  call it:   ./metropolis request " + subject + " '{\"name\": \"ada\"}'");
        out.println("             curl -d '{\"name\": \"ada\"}' localhost:8080/" + subject.replace('.', '/'));
        out.println("  check it:  ./metropolis check " + folder);
        return 0;
    }

    /** "orders/create.py" -> "orders.create"; a leading "scripts/" folder (the default one) is left out. */
    static String subject(Path file) {
        List<String> tokens = new ArrayList<>();
        for (Path part : file.normalize()) {
            tokens.add(part.toString());
        }
        if (tokens.size() > 1 && tokens.getFirst().equals("scripts")) {
            tokens.removeFirst();
        }
        tokens.set(tokens.size() - 1, task(file));
        return String.join(".", tokens.subList(Math.max(0, tokens.size() - 2), tokens.size()));
    }

    private static String task(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }
}

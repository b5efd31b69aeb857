package dev.metropolis.cli;

import dev.metropolis.command.CommandLine.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Where {@code metropolis request} takes its body from: the argument itself, {@code @FILE}, or {@code -} (stdin). */
final class RequestBody {
    private RequestBody() {}

    /** The bytes to send: none when {@code argument} is null; {@code @@text} sends "@text" literally. */
    static byte[] read(String argument, InputStream stdin) throws UsageException, IOException {
        if (argument == null) {
            return new byte[0];
        }
        if (argument.equals("-")) {
            return stdin.readAllBytes();
        }
        if (argument.startsWith("@@")) {
            return argument.substring(1).getBytes(StandardCharsets.UTF_8);
        }
        if (argument.startsWith("@")) {
            Path file = Path.of(argument.substring(1));
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new UsageException("no file " + file.toAbsolutePath() + " to send (BODY @FILE reads a file;"
                        + " write @@ to send a body that starts with @)");
            }
        }
        return argument.getBytes(StandardCharsets.UTF_8);
    }
}
